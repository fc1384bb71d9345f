"""Elementwise fusion: a group of elementwise nodes becomes one node that runs them as one.

    t1 = mul 1.5 x ; t2 = add t1 0.5 ; t3 = tanh t2        ->     t3 = fused[mul add tanh] x

A group grows backwards from its last node (its root): the node making one of a member's inputs
joins when it is elementwise and nothing outside the group reads its result (it is no graph output
and no state write, and every node that reads it is a member).  So each group has one result, the
root's, and its members' other results never need to exist as arrays.  Operands of different shapes
(broadcasting) are allowed.  On the CPU the fused node reuses its buffers; on a GPU it is one kernel
(see ..fused).
"""
import numpy as np

from ...ops.elementwise import Elementwise
from ..fused import FusedElementwise, Program, Step
from ..ir import In, Node, protected
from .rewrite import is_pure


def fuse_elementwise(graph, min_nodes=2):
    """A new Graph whose elementwise groups (of at least min_nodes nodes) are fused nodes; report
    {'groups': n, 'nodes fused': m}."""
    chosen = [group for group in find_groups(graph) if len(group) >= min_nodes]
    fused_at = {group[-1]: fuse(group) for group in chosen}     # the root's place: the fused node
    members = {node for group in chosen for node in group}
    out = graph.copy()
    out.nodes = [fused_at.get(node, node) for node in graph.nodes
                 if node not in members or node in fused_at]
    return out, {'groups': len(chosen), 'nodes fused': sum(len(g) for g in chosen)}


def fusible(node):
    """An elementwise primitive with one result, a CUDA template, numbers as its attributes, and
    float or bool values only (the templates follow C, whose integer division and rounding are
    not numpy's)."""
    op = node.op
    if not (isinstance(op, type) and issubclass(op, Elementwise)) or op.kernel is None:
        return False
    if node.multi or len(node.outputs) != 1 or node.kwargs or not is_pure(op):
        return False
    if any(v.dtype.kind not in 'bf' for v in node.inputs + node.outputs):
        return False
    if getattr(op, 'ufunc', None) in _TEMPLATE_DIFFERS:
        return False
    return all(type(a) is In or _is_number(a) for a in node.args)


# ops whose CUDA template computes something else on bools: in C, ~true is -2, which is true
_TEMPLATE_DIFFERS = {'invert'}


def _is_number(a):
    return type(a) in (bool, int, float) or (isinstance(a, np.generic) and a.dtype.kind in 'biuf')


def find_groups(graph):
    """The groups, each a list of nodes in graph order (its root last), found from the last node
    back; a node belongs to one group at most."""
    producer = graph.producers()
    users = graph.consumers()
    kept = protected(graph)
    taken, groups = set(), []
    for root in reversed(graph.nodes):
        if root in taken or not fusible(root):
            continue
        members, frontier = {root}, [root]
        while frontier:
            node = frontier.pop()
            for v in node.inputs:
                maker = producer.get(v)
                if maker is None or maker in members or maker in taken or v in kept or \
                        not fusible(maker) or not all(u in members for u in users.get(v, ())):
                    continue
                members.add(maker)
                frontier.append(maker)
        taken |= members
        groups.append([n for n in graph.nodes if n in members])
    groups.reverse()
    return groups


def fuse(group):
    """One node computing the group's root from the values the group reads from outside."""
    step_of = {node.outputs[0]: k for k, node in enumerate(group)}
    inputs, steps = [], []
    for node in group:
        operands = []
        for a in node.args:
            if type(a) is not In:
                operands.append(('const', a))
                continue
            v = node.inputs[a.i]
            if v in step_of:
                operands.append(('step', step_of[v]))
                continue
            if v not in inputs:
                inputs.append(v)
            operands.append(('input', inputs.index(v)))
        out = node.outputs[0]
        steps.append(Step(node.op, tuple(operands), out.shape, out.dtype))
    program = Program(tuple((v.shape, v.dtype) for v in inputs), tuple(steps))
    root = group[-1]
    node = Node(FusedElementwise.of(program), [In(i) for i in range(len(inputs))], {}, inputs,
                root.outputs, _common_scope(group))
    root.outputs[0].node = node
    return node


def _common_scope(group):
    """The innermost module scope all members ran in ('' when they differ at the top)."""
    paths = [node.scope.split('.') if node.scope else [] for node in group]
    common = []
    for parts in zip(*paths):
        if any(p != parts[0] for p in parts):
            break
        common.append(parts[0])
    return '.'.join(common)
