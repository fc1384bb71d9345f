"""Colours and shapes by role, and the step from a Picture to a graphviz.Digraph (DOT text)."""

FONT = 'Helvetica'

# role -> (node attributes, legend text).  Tensors are boxes, operations ellipses.
ROLES = {
    'leaf':         ({'shape': 'box', 'style': 'filled', 'fillcolor': '#a8d5ff'}, 'input (leaf)'),
    'param':        ({'shape': 'box', 'style': 'filled', 'fillcolor': '#ffd27f'}, 'parameter'),
    'intermediate': ({'shape': 'box', 'style': 'filled', 'fillcolor': '#eeeeee'}, 'intermediate'),
    'output':       ({'shape': 'box', 'style': 'filled', 'fillcolor': '#9fdf9f'}, 'output'),
    'cut':          ({'shape': 'box', 'style': 'filled,dotted', 'fillcolor': '#eeeeee'},
                     'made by ops not drawn'),
    'op':           ({'shape': 'ellipse', 'style': 'filled', 'fillcolor': '#ffffff'}, 'operation'),
    'custom':       ({'shape': 'ellipse', 'style': 'filled', 'fillcolor': '#f7b6c8'},
                     'custom Function'),
    'saved':        ({'shape': 'box', 'style': 'filled,dashed', 'fillcolor': '#ffe0b3',
                      'fontsize': '9'}, 'saved for backward'),
    'module':       ({'shape': 'box3d', 'style': 'filled', 'fillcolor': '#d9c8f5'},
                     'module (collapsed)'),
    'note':         ({'shape': 'note', 'style': 'filled', 'fillcolor': '#fff6bf'}, None),
    'grad':         ({'shape': 'box', 'style': 'filled', 'fillcolor': '#ffcdd2'}, 'incoming gradient'),
    'backward':     ({'shape': 'ellipse', 'style': 'filled', 'fillcolor': '#ffffff'},
                     'backward node'),
    'pending':      ({'shape': 'ellipse', 'style': 'filled', 'fillcolor': '#ffffff', 'color': '#999999',
                      'fontcolor': '#777777'}, 'not visited yet'),
    'ready':        ({'shape': 'ellipse', 'style': 'filled,bold', 'fillcolor': '#fff3c4'},
                     'ready (all gradients in)'),
    'current':      ({'shape': 'ellipse', 'style': 'filled,bold', 'fillcolor': '#ff8a80',
                      'penwidth': '2'}, 'running now'),
    'done':         ({'shape': 'ellipse', 'style': 'filled', 'fillcolor': '#c8e6c9'}, 'done'),
    'value':        ({'shape': 'box', 'style': 'filled', 'fillcolor': '#eeeeee'}, 'value'),
}

CLUSTER_STYLE = {
    'module': {'style': 'rounded,dashed', 'color': '#7a5cc2', 'fontcolor': '#5b3fa0'},
    'repeat': {'style': 'rounded,bold', 'color': '#d2691e', 'fontcolor': '#d2691e'},
    'panel':  {'style': 'rounded', 'color': '#bbbbbb'},
}


def emit(picture, name='graph'):
    """Build the graphviz.Digraph of a Picture (nodes in order, clusters nested)."""
    import graphviz     # imported when drawing, so that importing minitorch never needs it
    dot = graphviz.Digraph(name, graph_attr={'rankdir': picture.rankdir, 'fontname': FONT,
                                             'fontsize': '11', 'nodesep': '0.25', 'ranksep': '0.35'},
                           node_attr={'fontname': FONT, 'fontsize': '10', 'height': '0.3'},
                           edge_attr={'fontname': FONT, 'fontsize': '9', 'arrowsize': '0.7'})
    add_body(dot, picture)
    return dot


def add_body(dot, picture, prefix=''):
    """Nodes, clusters, edges and legend of `picture` into `dot` (ids prefixed, for side-by-side)."""
    children = {}
    for cid, cluster in picture.clusters.items():
        children.setdefault(cluster.parent, []).append(cid)
    members = {}
    for item in picture.items.values():
        members.setdefault(item.cluster, []).append(item)
    _fill(dot, None, picture, children, members, prefix)
    for tail, head, attrs in picture.edges:
        dot.edge(prefix + tail, prefix + head, **attrs)
    if picture.legend:
        legend = legend_label(picture.roles())
        if legend:
            dot.node(prefix + 'legend', legend, shape='plaintext', fontsize='9')


def _fill(graph, cid, picture, children, members, prefix):
    for item in members.get(cid, ()):
        attrs = dict(ROLES[item.role][0])
        attrs.update(item.attrs)
        graph.node(prefix + item.id, '\n'.join(item.lines), **attrs)
    for child in children.get(cid, ()):
        cluster = picture.clusters[child]
        with graph.subgraph(name='cluster_' + prefix + child[len('cluster_'):]) as sub:
            sub.attr(label=cluster.label, **CLUSTER_STYLE[cluster.role])
            _fill(sub, child, picture, children, members, prefix)


def legend_label(roles):
    rows = []
    for role in roles:
        attrs, text = ROLES[role]
        if text is None:
            continue
        rows.append(f'<tr><td bgcolor="{attrs["fillcolor"]}" width="14"> </td>'
                    f'<td align="left">{text}</td></tr>')
    if not rows:
        return None
    return '<<table border="0" cellborder="1" cellspacing="2" cellpadding="2">' + ''.join(rows) + \
        '</table>>'
