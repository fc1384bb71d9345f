"""Layout: which boxes a forward drawing has and what connects them, before any label is written.

A *unit* is what one drawn node stands for: a recorded op (a Node), or a whole module call (a
modules.Call) when that call is collapsed.  Repeated blocks map every unit of steps 2..N to its
counterpart in step 1 (`rep`), so a block is drawn once; tensors crossing from one step to the next
become a dashed "next step" edge.  Units in `dropped` (a truncated graph) are not drawn at all.
"""
from .modules import Call


class Block:
    """A run of N identical steps: instances[k][j] is the j-th unit of step k."""

    def __init__(self, instances):
        self.instances = instances
        self.n = len(instances)


class Layout:
    def __init__(self, flow, calls, names, collapse_pred, blocks=(), dropped=frozenset()):
        self.flow, self.calls, self.names = flow, calls, names
        self.blocks = list(blocks)
        self.dropped = set(dropped)
        self.unit_of = {op: _unit_for(op, calls, collapse_pred) for op in flow.ops}
        self.sequence = list(dict.fromkeys(self.unit_of[op] for op in flow.ops))
        self.rep, self.step = {}, {}
        for b, block in enumerate(self.blocks):
            for k, instance in enumerate(block.instances):
                for j, unit in enumerate(instance):
                    self.rep[unit] = block.instances[0][j]
                    self.step[unit] = (b, k)
        self.units = [u for u in self.sequence if u not in self.dropped and self.rep.get(u, u) is u]
        self.tensors = []           # drawn tensor keys, in drawing order
        self.edges = []             # (('t', key) | ('u', unit), ('t', key) | ('u', unit), attrs)
        self.hidden_params = {}     # collapsed call -> number of its parameters not drawn
        self.cut = set()            # tensor keys whose producer is not drawn
        self.outputs = []
        self._connect()

    # --- mapping through repeated blocks ------------------------------------------------------
    def R(self, unit):
        return self.rep.get(unit, unit)

    def visible(self, unit):
        return unit is not None and unit not in self.dropped

    def tensor(self, key):
        """The drawn key standing for tensor `key` (its counterpart in step 1 of a block)."""
        if key[0] != 'out':
            return key
        op = key[1]
        unit = self.unit_of.get(op)
        if unit is None or self.R(unit) is unit:
            return key
        target = self.R(unit)
        if isinstance(unit, Call):
            index = unit.ops.index(op)
            if index >= len(target.ops):
                return key
            return ('out', target.ops[index], key[2])
        return ('out', target, key[2])

    def producer(self, key):
        return self.unit_of.get(key[1]) if key[0] == 'out' else None

    # --- edges --------------------------------------------------------------------------------
    def _connect(self):
        seen_tensors, seen_edges = {}, set()

        def use_tensor(key):
            if key not in seen_tensors:
                seen_tensors[key] = True
                self.tensors.append(key)

        def edge(tail, head, dedupe=False, **attrs):
            if dedupe:
                sig = (tail, head, tuple(sorted(attrs.items())))
                if sig in seen_edges:
                    return
                seen_edges.add(sig)
            self.edges.append((tail, head, attrs))

        flow = self.flow
        for op in flow.ops:
            unit = self.unit_of[op]
            if not self.visible(unit):
                continue
            target = self.R(unit)
            hidden = target is not unit
            collapsed = isinstance(unit, Call)
            for key in flow.inputs[op]:
                if key is None:
                    continue
                src_unit = self.producer(key)
                if key[0] == 'leaf':
                    if collapsed and self.names.owned_by(_leaf(key), unit.module):
                        if not hidden:
                            self.hidden_params.setdefault(unit, set()).add(id(_leaf(key)))
                        continue
                    if hidden:
                        continue
                    use_tensor(key)
                    edge(('t', key), ('u', unit), dedupe=collapsed)
                    continue
                if src_unit is unit:
                    continue                                # inside one collapsed call
                mapped = self.tensor(key)
                if hidden or self.R(src_unit) is not src_unit:
                    here, there = self.step.get(unit), self.step.get(src_unit)
                    if here and there and here[0] == there[0] and here[1] == there[1] + 1:
                        use_tensor(mapped)
                        edge(('t', mapped), ('u', target), dedupe=True, style='dashed',
                             color='#d2691e', fontcolor='#d2691e', label='next step',
                             constraint='false')
                        continue
                    if hidden:
                        continue
                    b, k = there
                    use_tensor(mapped)
                    edge(('t', mapped), ('u', unit), dedupe=True, style='dashed', color='#d2691e',
                         fontcolor='#d2691e', label=f'from repeat {k + 1}/{self.blocks[b].n}')
                    continue
                use_tensor(mapped)
                edge(('t', mapped), ('u', unit), dedupe=collapsed)
        for key in flow.output_keys:
            mapped = self.tensor(key)
            self.outputs.append(mapped)
            use_tensor(mapped)
        for key in self.tensors:
            src_unit = self.producer(key)
            if key[0] == 'out':
                if self.visible(src_unit):
                    self.edges.append((('u', self.R(src_unit)), ('t', key), {}))
                else:
                    self.cut.add(key)
        self.hidden_params = {u: len(ids) for u, ids in self.hidden_params.items()}

    def size(self):
        return len(self.units) + len(self.tensors)


def _leaf(key):
    from .walk import leaf_tensor
    return leaf_tensor(key)


def _unit_for(op, calls, collapse_pred):
    for call in calls.chain.get(op, ()):
        if collapse_pred(call):
            return call
    return op
