"""mt.viz.draw: the forward graph of some outputs (tensors as boxes, operations as ellipses)."""
from ..tensor import Tensor
from . import labels as L
from .drawing import Drawing
from .model import Item, Picture
from .modules import Call, Calls, Names, matcher
from .summarize import choose
from .walk import Flow, leaf_tensor, live_tensor, meta


def draw(*outputs, params=None, show_saved=False, show_grad='auto', show_values=False,
         collapse=None, max_nodes=200, rankdir='TB'):
    """Draw the graph that produced `outputs` (one or more tensors).

    params: a dict {name: tensor} or a module: names parameters, groups ops by module call.
    show_saved: draw what each op saved for backward.  show_grad: 'auto' (when any tensor holds a
    gradient), True or False.  show_values: True (tensors of up to 16 elements) or a size limit.
    collapse: a module, a module class, or a list of them: each call drawn as one node.
    max_nodes: above this many boxes, draw a summary (repeated steps once, modules collapsed).
    rankdir: 'TB' (top to bottom) or 'LR'.
    """
    outputs = _tensors(outputs)
    flow = Flow(outputs)
    names = Names(params, flow.ops)
    calls = Calls(flow.ops)
    layout, note = choose(flow, calls, names, matcher(collapse), max_nodes)
    options = {'show_saved': show_saved, 'show_values': _limit(show_values),
               'show_grad': _want_grads(show_grad, flow)}
    picture = Painter(layout, names, rankdir, options).paint(note)
    return Drawing(picture)


def _tensors(outputs):
    if len(outputs) == 1 and isinstance(outputs[0], (list, tuple)):
        outputs = tuple(outputs[0])
    if not outputs:
        raise TypeError('draw() needs at least one tensor: mt.viz.draw(loss)')
    for t in outputs:
        if not isinstance(t, Tensor):
            raise TypeError(f'draw() takes tensors, not {type(t).__name__}; to draw other objects '
                            f'use mt.viz.draw_objects(root, inputs=...)')
    return outputs


def _limit(show_values):
    if show_values is True:
        return L.MAX_VALUES
    return int(show_values) if show_values else 0


def _want_grads(show_grad, flow):
    if show_grad == 'auto':
        return any(getattr(live_tensor(k), '_grad', None) is not None for k in flow.tensor_keys)
    return bool(show_grad)


class Painter:
    """Turns a Layout into a Picture: ids, labels, colours, clusters."""

    def __init__(self, layout, names, rankdir, options):
        self.layout, self.names, self.options = layout, names, options
        self.picture = Picture(rankdir)
        self.ids = {}
        self.count = {'op': 0, 'm': 0, 't': 0, 's': 0}
        self.cluster_ids = {}
        self.block_of, self.block_prefix, self.block_cluster = {}, {}, {}
        for b, block in enumerate(layout.blocks):
            for unit in block.instances[0]:
                self.block_of[unit] = b
            self.block_prefix[b] = _common(self._chain(u) for step in block.instances for u in step)

    # --- ids and placement --------------------------------------------------------------------
    def _id(self, thing, kind):
        key = (kind, thing) if kind != 't' else ('t',) + thing
        if key not in self.ids:
            self.ids[key] = f'{kind}{self.count[kind]}'
            self.count[kind] += 1
        return self.ids[key]

    def _chain(self, unit):
        if isinstance(unit, Call):
            chain, c = [], unit.parent
            while c is not None:
                chain.append(c)
                c = c.parent
            return chain[::-1]
        return self.layout.calls.chain.get(unit, [])

    def _place(self, unit):
        chain = self._chain(unit)
        b = self.block_of.get(unit)
        if b is None:
            return self._cluster(chain[-1]) if chain else None
        prefix = self.block_prefix[b]
        inner = chain[len(prefix):]
        return self._cluster(inner[-1], b) if inner else self._repeat_cluster(b)

    def _cluster(self, call, block=None):
        if call.key in self.cluster_ids:
            return self.cluster_ids[call.key]
        if block is not None and call.parent is (self.block_prefix[block][-1:] or [None])[0]:
            parent = self._repeat_cluster(block)
        else:
            parent = self._cluster(call.parent, block) if call.parent is not None else None
        cid = self.picture.cluster(self._call_label(call, block), parent)
        self.cluster_ids[call.key] = cid
        return cid

    def _call_label(self, call, block):
        label = self.layout.calls.label(call, self.names)
        if block is None or not call.number:
            return label
        last = self.layout.blocks[block].instances[-1]          # the same call in the last step
        for unit in last:
            chain = self._chain(unit) + ([unit] if isinstance(unit, Call) else [])
            if len(chain) > call.depth and chain[call.depth].module is call.module:
                return label.replace(f'(call {call.number})',
                                     f'(calls {call.number}–{chain[call.depth].number})')
        return label

    def _repeat_cluster(self, b):
        if b not in self.block_cluster:
            prefix = self.block_prefix[b]
            parent = self._cluster(prefix[-1]) if prefix else None
            n = self.layout.blocks[b].n
            self.block_cluster[b] = self.picture.cluster(f'repeated ×{n} (step 1 drawn)', parent,
                                                         role='repeat')
        return self.block_cluster[b]

    def _place_leaf(self, key):
        """A parameter sits in the deepest module call that owns it and runs every op using it."""
        t = leaf_tensor(key)
        if not self.names.is_param(t):
            return None
        heads = [head[1] for tail, head, _ in self.layout.edges
                 if tail == ('t', key) and head[0] == 'u']
        blocks = {self.block_of.get(u) for u in heads}
        block = blocks.pop() if len(blocks) == 1 else None
        common = _common(self._chain(u) for u in heads)
        for call in reversed(common):
            if self.names.owned_by(t, call.module):
                return self._cluster(call, block)
        return None

    # --- painting -----------------------------------------------------------------------------
    def paint(self, note):
        layout = self.layout
        emitted = set()
        order = []
        for unit in layout.units:
            for tail, head, _ in layout.edges:
                if head == ('u', unit) and tail not in emitted:
                    emitted.add(tail)
                    order.append(tail)
            order.append(('u', unit))
            emitted.add(('u', unit))
        for key in layout.tensors:
            if ('t', key) not in emitted:
                emitted.add(('t', key))
                order.append(('t', key))
        # ids in order: tensors feeding a unit come first, then the unit
        for kind, thing in order:
            if kind == 'u':
                self._unit_item(thing)
        for kind, thing in order:
            if kind == 't':
                self._tensor_item(thing)
        for tail, head, attrs in layout.edges:
            self.picture.edge(self._ref(tail), self._ref(head), **attrs)
        self._saved_items()
        if note:
            self.picture.add(Item('note', 'note', 'note', note))
        self.picture.summary = self._summary(note)
        self._order_items(order)
        return self.picture

    def _ref(self, end):
        kind, thing = end
        if kind == 't':
            return self._id(thing, 't')
        return self._id(thing, 'm' if isinstance(thing, Call) else 'op')

    def _order_items(self, order):
        """Keep the DOT in flow order (tensors feeding an op just before it)."""
        items = self.picture.items
        ranked = [self._ref(end) for end in order]
        rest = [i for i in items if i not in set(ranked)]
        self.picture.items = {i: items[i] for i in ranked + rest if i in items}

    def _unit_item(self, unit):
        cluster = self._place(unit)
        if isinstance(unit, Call):
            lines = [self.layout.calls.label(unit, self.names), f'{len(unit.ops)} ops']
            hidden = self.layout.hidden_params.get(unit)
            if hidden:
                lines.append(f'{hidden} parameter{"s" if hidden > 1 else ""}')
            self.picture.add(Item(self._id(unit, 'm'), 'module', 'module', lines, cluster))
        else:
            lines = [L.op_name(unit)]
            if self.options['show_saved'] and getattr(unit, '_freed', False):
                lines.append('(saved tensors freed)')
            role = 'custom' if L.is_custom(unit) else 'op'
            self.picture.add(Item(self._id(unit, 'op'), 'op', role, lines, cluster))
        return cluster

    def _tensor_item(self, key):
        layout = self.layout
        tensor = live_tensor(key)
        if key in layout.outputs:
            role = 'output'
        elif key[0] == 'leaf':
            role = 'param' if self.names.is_param(leaf_tensor(key)) else 'leaf'
        elif key in layout.cut:
            role = 'cut'
        else:
            role = 'intermediate'
        if key[0] == 'leaf':
            cluster = self._place_leaf(key)
        else:
            unit = layout.producer(key)
            cluster = self._place(layout.R(unit)) if layout.visible(unit) else None
        name = getattr(tensor, 'name', None) or (self.names.tensor.get(id(tensor))
                                                 if tensor is not None else None)
        lines = [name, L.meta_text(*meta(key))]
        if self.options['show_grad'] and tensor is not None:
            grad = L.grad_text(tensor)
            if grad is None and self.options['show_grad'] is True and \
                    (key[0] == 'leaf' or tensor.retains_grad) and tensor.requires_grad:
                grad = 'grad: None'
            lines.append(grad)
        if self.options['show_values']:
            lines.append(L.values_text(tensor, self.options['show_values']))
        self.picture.add(Item(self._id(key, 't'), 'tensor', role, lines, cluster))

    def _saved_items(self):
        if not self.options['show_saved']:
            return
        for unit in self.layout.units:
            saved = getattr(unit, '_saved', None)
            if isinstance(unit, Call) or not saved:
                continue
            op_id = self._id(unit, 'op')
            for entry in saved:
                if entry is None:
                    continue
                sid = self._id((op_id, self.count['s']), 's')
                self.picture.add(Item(sid, 'saved', 'saved', L.saved_lines(entry, self.names.tensor),
                                      self.picture.items[op_id].cluster))
                self.picture.edge(sid, op_id, style='dashed', color='#d98c1f', arrowhead='odot')

    def _summary(self, note):
        flow = self.layout.flow
        text = f'<graph: {len(flow.ops)} ops, {len(flow.tensor_keys)} tensors'
        collapsed = [u for u in self.layout.units if isinstance(u, Call)]
        extras = []
        if collapsed:
            extras.append(f'{len(collapsed)} module call{"s" if len(collapsed) > 1 else ""} '
                          f'collapsed')
        if note:
            extras.append('summarized: ' + ', '.join(
                [f'×{b.n} block' for b in self.layout.blocks] +
                (['truncated'] if self.layout.dropped else [])) if (self.layout.blocks or
                                                                    self.layout.dropped)
                else 'summarized')
            extras.append(f'{self.layout.size()} boxes drawn')
        return text + ('; ' + '; '.join(extras) if extras else '') + '>'


def _common(chains):
    chains = [list(c) for c in chains]
    if not chains:
        return []
    common = chains[0]
    for chain in chains[1:]:
        n = 0
        while n < min(len(common), len(chain)) and common[n] is chain[n]:
            n += 1
        common = common[:n]
    return common
