"""What a drawing holds before it becomes DOT: items (nodes), edges and clusters.

Every drawing function (forward graphs, backward graphs, frames of backward, any object graph) fills
a `Picture`; `style.emit` turns it into a graphviz.Digraph.  Keeping this plain data in between lets
tests check what is drawn without parsing DOT, and keeps all colours and shapes in one place.
"""


class Item:
    """One node of the drawing.  kind: 'tensor' | 'op' | 'module' | 'saved' | 'note';
    role picks the colour (see style.ROLES); lines are the label's lines; cluster: a cluster id or None."""
    __slots__ = ('id', 'kind', 'role', 'lines', 'cluster', 'attrs')

    def __init__(self, id, kind, role, lines, cluster=None, **attrs):
        self.id = id
        self.kind = kind
        self.role = role
        self.lines = [line for line in lines if line]
        self.cluster = cluster
        self.attrs = attrs

    def __repr__(self):
        return f'Item({self.id!r}, {self.kind!r}, {self.role!r}, {self.lines!r})'


class Cluster:
    __slots__ = ('id', 'label', 'parent', 'role')

    def __init__(self, id, label, parent=None, role='module'):
        self.id = id
        self.label = label
        self.parent = parent
        self.role = role


class Picture:
    def __init__(self, rankdir='TB'):
        self.rankdir = rankdir
        self.items = {}             # id -> Item, in drawing order
        self.edges = []             # (tail id, head id, attrs dict)
        self.clusters = {}          # id -> Cluster, in creation order
        self.summary = '<graph>'    # the one-line text form
        self.legend = True

    def add(self, item):
        self.items[item.id] = item
        return item

    def edge(self, tail, head, **attrs):
        self.edges.append((tail, head, attrs))

    def cluster(self, label, parent=None, role='module'):
        cid = f'cluster_{len(self.clusters)}'
        self.clusters[cid] = Cluster(cid, label, parent, role)
        return cid

    def roles(self):
        """The roles present, in first-seen order (for the legend)."""
        return list(dict.fromkeys(item.role for item in self.items.values()))

    def of_kind(self, kind):
        return [item for item in self.items.values() if item.kind == kind]
