"""Where each op of a graph runs: from a placement of a few scopes to a rank for every node.

A traced training step holds three kinds of ops, told apart by how they were recorded:
  - forward ops, recorded in grad mode (they build the autograd graph), each inside the module
    that ran it (its scope: '0', '2', 'encoder.layer.1');
  - backward ops, recorded by backward() with grad mode off and outside any module;
  - update ops: whatever reads a gradient that backward wrote to a parameter's .grad (the optimizer).
Only forward ops have scopes, so a placement names scopes, and the rest follows:

  1. an op whose scope (or an enclosing scope) is placed runs there (the longest placed scope wins);
     an op placed by itself (a Node key) runs where it is placed;
  2. a parameter (any state) lives where the first op placed by rule 1 that reads it runs;
  3. an unplaced forward op follows its inputs: it runs where its first input that has a rank is;
  4. a backward op that reads a parameter runs where the parameter lives; any other backward op
     runs with the parameters whose gradients it leads to (the latest stage among them, as
     backward goes from the last stage to the first); failing both, it follows its inputs;
  5. an update op follows its inputs (the parameter, its gradient, the optimizer's buffers);
  6. what is still unplaced follows its consumers (the first one with a rank), and then `default`;
     a graph input or a state value nothing placed reads lives with its first consumer.

The ranks are the stages of a pipeline: forward values flow from earlier stages to later ones (the
order is read off the forward edges that cross ranks); a placement under which they flow both
ways between two ranks (a cycle) is refused.
"""
from .errors import StaticError
from .ir import Node
from .slots import GradSlot, TensorSlot

FORWARD, BACKWARD, UPDATE = 'forward', 'backward', 'update'


class Placement:
    """The result: `rank` {node: rank}, `home` {input or state value: rank}, `phase` {node: phase},
    `stages` (the ranks in pipeline order), `world_size`."""

    def __init__(self, rank, home, phase, stages, world_size):
        self.rank, self.home, self.phase = rank, home, phase
        self.stages, self.world_size = stages, world_size


def place(graph, placement, world_size=None, default=0):
    """A Placement of every node of graph (see the module doc for the rules)."""
    _check_traced_unoptimized(graph)
    world_size = _check_ranks(graph, placement, world_size, default)
    phase = phases(graph)
    producer = graph.producers()
    consumers = graph.consumers()
    rank = explicit_ranks(graph, placement)
    home = {}
    for v in graph.inputs + graph.state:                                   # rule 2
        first = next((n for n in consumers.get(v, ()) if n in rank), None)
        if first is not None:
            home[v] = rank[first]

    def where(v):
        node = producer.get(v)
        return rank.get(node) if node is not None else home.get(v)

    def follow_inputs(node):
        return next((r for r in map(where, node.inputs) if r is not None), None)

    for node in graph.nodes:                                                 # rule 3
        if phase[node] == FORWARD and node not in rank:
            _set(rank, node, follow_inputs(node))
    stages = stage_order(graph, rank, phase, producer, where, world_size)
    _place_backward(graph, rank, phase, home, consumers, stages, follow_inputs)     # rule 4
    for node in graph.nodes:                                                 # rule 5
        if phase[node] == UPDATE and node not in rank:
            _set(rank, node, follow_inputs(node))
    _place_leftovers(graph, rank, home, consumers, default, follow_inputs)   # rule 6
    for v in graph.inputs + graph.state:
        if v not in home:
            first = next((n for n in consumers.get(v, ()) if n in rank), None)
            home[v] = rank[first] if first is not None else default
    _check_every_rank_used(graph, rank, world_size, placement)
    stages = stage_order(graph, rank, phase, producer, where, world_size)   # with every op placed
    return Placement(rank, home, phase, stages, world_size)


def _set(rank, node, r):
    if r is not None:
        rank[node] = r


# --- the three kinds of ops ----------------------------------------------------------------------
def phases(graph):
    """{node: 'forward' | 'backward' | 'update'} (see the module doc).

    forward: recorded in grad mode, reading no backward or update result;
    update: reads a gradient written to a parameter's .grad, or the result of an update op;
    backward: recorded with grad mode off and reading what the forward pass or backward made (or a
      graph input: computed per batch);
    an op that reads only state and constants belongs to the first phase that needs its result
      (`1 / n` for a mean's gradient is backward), and to update when only update needs it (the
      optimizer's step counter, momentum * buffer).
    A graph that writes no gradient (an inference graph, traced under no_grad) is all forward."""
    grads = set(gradient_values(graph))
    if not grads:
        return dict.fromkeys(graph.nodes, FORWARD)
    phase, made_by = {}, {}
    for node in graph.nodes:
        before = {made_by.get(v) for v in node.inputs}
        if UPDATE in before or any(v in grads for v in node.inputs):
            kind = UPDATE
        elif (node.note or {}).get('grad', True) and not before & {BACKWARD}:
            kind = FORWARD
        elif before & {FORWARD, BACKWARD} or any(v.kind == 'input' for v in node.inputs):
            kind = BACKWARD
        else:
            kind = None                     # reads only state and constants: decided below
        phase[node] = kind
        for v in node.outputs:
            made_by[v] = kind
    _first_phase_that_needs(graph, phase, grads)
    return phase


def _first_phase_that_needs(graph, phase, grads):
    producer = graph.producers()
    needed = {producer[v]: BACKWARD for v in grads if v in producer}
    for node in reversed(graph.nodes):
        if phase[node] is None:
            phase[node] = needed.get(node, UPDATE)
        kind = phase[node]
        if kind == UPDATE:
            continue
        for v in node.inputs:
            made = producer.get(v)
            if made is not None and phase[made] is None and needed.get(made) != FORWARD:
                needed[made] = kind


def gradient_values(graph):
    """{value: the state value of the parameter} for each value written to a parameter's .grad."""
    params = {id(v.slot.tensor): v for v in graph.state if isinstance(v.slot, TensorSlot)}
    found = {}
    for w in graph.writes:
        if isinstance(w.slot, GradSlot) and w.value is not None:
            found[w.value] = params.get(id(w.slot.tensor))
    return found


def _place_backward(graph, rank, phase, home, consumers, stages, follow_inputs):
    """Rule 4: by the parameters a backward op reads, else those whose gradients it leads to."""
    grads = gradient_values(graph)
    leads_to = {}
    for node in reversed(graph.nodes):
        if phase[node] != BACKWARD:
            continue
        found = set()
        for v in node.outputs:
            param = grads.get(v)
            if param is not None and param in home:
                found.add(home[param])
            for user in consumers.get(v, ()):
                found |= leads_to.get(user, set())
        leads_to[node] = found
    position = {r: i for i, r in enumerate(stages)}
    for node in graph.nodes:
        if phase[node] != BACKWARD or node in rank:
            continue
        read = next((home[v] for v in node.inputs if v.kind == 'state' and v in home), None)
        if read is None and leads_to[node]:
            read = max(leads_to[node], key=lambda r: position.get(r, r))
        _set(rank, node, read if read is not None else follow_inputs(node))


def _place_leftovers(graph, rank, home, consumers, default, follow_inputs):
    """Rule 6: an op with no placed input follows its first placed consumer (or the state it writes
    back); one that nothing ties to a rank runs with the next op of the graph that has a rank (an
    optimizer updates one parameter's buffers together: a step counter goes with its momentum),
    else with the op before it, else on `default`."""
    owners = {w.value: w.slot for w in graph.writes if w.value is not None}
    slot_home = {id(v.slot): r for v, r in home.items() if v.slot is not None}
    position = {node: i for i, node in enumerate(graph.nodes)}
    for node in reversed(graph.nodes):
        if node in rank:
            continue
        users = [u for v in node.outputs for u in consumers.get(v, ()) if u in rank]
        slots = [owners[v] for v in node.outputs if v in owners]
        found = rank[min(users, key=position.get)] if users else \
            next((slot_home[id(s)] for s in slots if id(s) in slot_home), None)
        _set(rank, node, found)
    for node in graph.nodes:
        if node not in rank:
            _set(rank, node, follow_inputs(node))
    untied = [node for node in graph.nodes if node not in rank]
    for node in untied:
        later = (rank.get(n) for n in graph.nodes[position[node] + 1:])
        earlier = (rank.get(n) for n in reversed(graph.nodes[:position[node]]))
        rank[node] = next((r for r in later if r is not None),
                          next((r for r in earlier if r is not None), default))


# --- placements as given --------------------------------------------------------------------------
def explicit_ranks(graph, placement):
    """{node: rank} for the nodes a placement names, by scope (longest match) or as a Node."""
    scopes = {k: r for k, r in placement.items() if isinstance(k, str)}
    nodes = {k: r for k, r in placement.items() if isinstance(k, Node)}
    known = set(graph.nodes)
    for node in nodes:
        if node not in known:
            raise StaticError(f'placement: {node!r} is not a node of graph {graph.name!r}; place '
                              f'nodes of the graph being partitioned (graph.nodes)')
    used = set()
    rank = {}
    for node in graph.nodes:
        if node in nodes:
            rank[node] = nodes[node]
            continue
        match = max((k for k in scopes if in_scope(node.scope, k)), key=len, default=None)
        if match is not None:
            rank[node] = scopes[match]
            used.add(match)
    unknown = [k for k in scopes if k not in used and not any(in_scope(n.scope, k)
                                                               for n in graph.nodes)]
    if unknown:
        raise StaticError(f'placement names scope {unknown[0]!r}, but no op of graph {graph.name!r} '
                          f'ran in it; its scopes are {_scope_list(graph)}')
    return rank


def in_scope(scope, key):
    """Is `scope` the scope `key` or inside it ('2.fc' is inside '2'; '20' is not)?"""
    return scope == key or scope.startswith(key + '.')


def _scope_list(graph):
    scopes = sorted({n.scope for n in graph.nodes if n.scope})
    text = ', '.join(repr(s) for s in scopes) or 'none'
    return f'{text} (module paths, as model.named_modules() names them)'


def _check_ranks(graph, placement, world_size, default):
    if not isinstance(placement, dict) or not placement:
        raise StaticError(f'partition: placement must be a non-empty dict {{scope or node: rank}}, '
                          f'such as {{"0": 0, "2": 1}}; got {placement!r}')
    for key, r in list(placement.items()) + [('default', default)]:
        if not isinstance(key, (str, Node)):
            raise StaticError(f'placement: key {key!r} is neither a scope (a module path such as '
                              f"'2' or 'encoder') nor a node of the graph")
        if isinstance(r, bool) or not isinstance(r, int) or r < 0:
            raise StaticError(f'placement: {key!r} → {r!r} is not a rank: ranks are the numbers 0, '
                              f'1, … of the processes (dist.get_rank())')
    ranks = list(placement.values())
    if world_size is None:
        return max(ranks + [default]) + 1
    for key, r in list(placement.items()) + [('default', default)]:
        if r >= world_size:
            raise StaticError(f'placement: {key!r} → rank {r} is unknown: with world_size='
                              f'{world_size} the ranks are 0 … {world_size - 1}')
    return world_size


def _check_every_rank_used(graph, rank, world_size, placement):
    used = set(rank.values())
    idle = [r for r in range(world_size) if r not in used]
    if idle:
        raise StaticError(f'partition: rank {idle[0]} gets no op of graph {graph.name!r} (placement '
                          f'{_placement_text(placement)}); number the ranks 0 … n−1 with every rank '
                          f'placed, or pass a smaller world_size')


def _placement_text(placement):
    return '{' + ', '.join(f'{k!r}: {r}' for k, r in placement.items()) + '}'


def _check_traced_unoptimized(graph):
    for node in graph.nodes:
        if not isinstance(node.note, dict) or 'grad' not in node.note:
            raise StaticError(f'partition: node {node.name} of graph {graph.name!r} was made by a '
                              f'graph pass (it has no scope or grad-mode record): partition the '
                              f'graph as traced — mt.static.function(step, optimize=False), or '
                              f'mt.static.trace_graph(step, *args) — each part is optimized after '
                              f'the cut')


# --- stages -----------------------------------------------------------------------------------------
def stage_order(graph, rank, phase, producer, where, world_size):
    """The ranks in pipeline order, from the forward values that cross ranks (a DAG of ranks);
    a cycle raises a StaticError that names the values on it."""
    edges = {}
    for node in graph.nodes:
        if phase[node] != FORWARD or node not in rank:
            continue
        for v in node.inputs:
            src = where(v)
            if src is not None and src != rank[node]:
                edges.setdefault((src, rank[node]), (v, producer.get(v), node))
    order, indegree = [], {r: 0 for r in range(world_size)}
    for _, dst in edges:
        indegree[dst] += 1
    ready = sorted(r for r, d in indegree.items() if d == 0)
    while ready:
        r = ready.pop(0)
        order.append(r)
        for src, dst in sorted(edges):
            if src == r:
                indegree[dst] -= 1
                if indegree[dst] == 0:
                    ready.append(dst)
                    ready.sort()
    if len(order) < world_size:
        raise StaticError(_cycle_message(graph, edges, set(range(world_size)) - set(order)))
    return order


def _cycle_message(graph, edges, stuck):
    cycle = _find_cycle(edges, stuck)
    hops = []
    for src, dst in zip(cycle, cycle[1:]):
        v, made, used = edges[(src, dst)]
        what = f'{made.name} in {made.scope!r}' if made is not None else (v.name or 'an input')
        hops.append(f'rank {src} → rank {dst} ({what} feeds {used.name} in {used.scope!r})')
    return (f'partition of graph {graph.name!r}: the placement makes a cycle between ranks in the '
            f'forward pass: {"; ".join(hops)}. Ranks must be stages that activations cross one way '
            f'(gradients come back the other way): a stage that ran its forward part of a '
            f'micro-batch as one step would wait for a Recv whose Send the other rank reaches only '
            f'after its own Recv — a deadlock. Place consecutive layers on each rank')


def _find_cycle(edges, stuck):
    """A list of ranks [a, b, ..., a] along forward edges, among the ranks a topological sort left
    (each has an edge from another of them: walking those edges backwards must come round)."""
    path = [min(stuck)]
    while True:
        before = min(src for src, dst in edges if dst == path[-1] and src in stuck)
        if before in path:
            backwards = path[path.index(before):] + [before]
            return backwards[::-1]
        path.append(before)
