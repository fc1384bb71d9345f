"""Notebook 07's checkers accept the solutions and name each plausible mistake (course/lib/check07.py)."""
import math

import pytest

from lib import check07
from lib.check07 import Graph
from solutions import sol07


def stub(*args):
    raise NotImplementedError('exercise')


# --- remove_identities -------------------------------------------------------------------------------
def test_remove_identities_solution_is_accepted(verdict):
    result, out = verdict(check07.check_remove_identities, sol07.remove_identities)
    assert result is True and out.startswith('✓ remove_identities'), out


def test_remove_identities_stub_is_not_done(verdict):
    result, out = verdict(check07.check_remove_identities, stub)
    assert result is None and out.startswith('not done yet — hint:')
    assert verdict(check07.check_remove_identities, lambda g: ...)[0] is None


def _identity_of(graph, name, op, args):
    """The other arg when (op, args) multiplies by 1 or adds 0, else None."""
    unit = sol07.UNITS.get(op)
    for mine, other in ((args[0], args[-1]), (args[-1], args[0])):
        if unit is not None and graph.consts.get(mine) == unit:
            return other
    return None


def no_rename(graph):
    nodes = [n for n in graph.nodes if _identity_of(graph, *n) is None]
    return Graph(graph.inputs, graph.consts, nodes, graph.output)


def output_not_renamed(graph):
    renamed, nodes = {}, []
    for name, op, args in graph.nodes:
        args = [renamed.get(a, a) for a in args]
        other = _identity_of(graph, name, op, args)
        if other is None:
            nodes.append((name, op, args))
        else:
            renamed[name] = other
    return Graph(graph.inputs, graph.consts, nodes, graph.output)


def renamed_after_the_fact(graph):
    renamed = {name: _identity_of(graph, name, op, args) for name, op, args in graph.nodes}
    renamed = {k: v for k, v in renamed.items() if v is not None}
    nodes = [(name, op, [renamed.get(a, a) for a in args]) for name, op, args in graph.nodes
             if name not in renamed]
    return Graph(graph.inputs, graph.consts, nodes, renamed.get(graph.output, graph.output))


def constant_on_the_right_only(graph):
    renamed, nodes = {}, []
    for name, op, args in graph.nodes:
        args = [renamed.get(a, a) for a in args]
        if op in sol07.UNITS and graph.consts.get(args[1]) == sol07.UNITS[op]:
            renamed[name] = args[0]
        else:
            nodes.append((name, op, args))
    return Graph(graph.inputs, graph.consts, nodes, renamed.get(graph.output, graph.output))


def zero_product_too(graph):
    renamed, nodes = {}, []
    for name, op, args in graph.nodes:
        args = [renamed.get(a, a) for a in args]
        other = _identity_of(graph, name, op, args)
        if other is None and op == '*' and graph.consts.get(args[1]) == 0:
            other = args[0]                          # "x * 0 does nothing": it does
        if other is None:
            nodes.append((name, op, args))
        else:
            renamed[name] = other
    return Graph(graph.inputs, graph.consts, nodes, renamed.get(graph.output, graph.output))


def in_place(graph):
    result = sol07.remove_identities(graph)
    graph.nodes[:] = result.nodes
    return graph


def without_constants(graph):
    result = sol07.remove_identities(graph)
    return Graph(result.inputs, {}, result.nodes, result.output)


@pytest.mark.parametrize('wrong, words', [
    (no_rename, 'a later node still reads'),
    (output_not_renamed, 'graph.output is'),
    (renamed_after_the_fact, 'a chain'),
    (constant_on_the_right_only, 'the constant is the *first* arg'),
    (zero_product_too, 'x * 0 is 0'),
    (in_place, 'changed the graph it was given'),
    (without_constants, 'needs the constants of the old one'),
    (lambda graph: graph.nodes, 'returned list'),
])
def test_remove_identities_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check07.check_remove_identities, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- eliminate_dead_code -----------------------------------------------------------------------------
def test_dead_code_solution_is_accepted(verdict):
    result, out = verdict(check07.check_eliminate_dead_code, sol07.eliminate_dead_code)
    assert result is True and out.startswith('✓ eliminate_dead_code'), out


def test_dead_code_stub_is_not_done(verdict):
    result, out = verdict(check07.check_eliminate_dead_code, stub)
    assert result is None and out.startswith('not done yet — hint:')


def the_test_graphs_have_dead_code():
    from minitorch.static.passes import eliminate_dead_code
    return all(eliminate_dead_code(g)[1]['removed'] > 0 for _, g in check07._dead_code_graphs())


def test_the_checker_graphs_have_dead_code_and_state_writes():
    assert the_test_graphs_have_dead_code()
    writes = check07._dead_code_graphs()[1][1].writes
    assert any(w.value is None for w in writes) and any(w.value is not None for w in writes)


def outputs_only(graph):
    """The solution blind to state writes: it keeps only what the outputs need."""
    blind = graph.copy()
    blind.writes = []
    out = sol07.eliminate_dead_code(blind)
    out.writes = list(graph.writes)
    return out


def no_closure(graph):
    needed = {v for v in graph.outputs if v is not None}
    needed |= {w.value for w in graph.writes if w.value is not None}
    out = graph.copy()
    out.nodes = [n for n in graph.nodes if any(v in needed for v in n.outputs)]
    return out


def left_reversed(graph):
    out = sol07.eliminate_dead_code(graph)
    out.nodes = out.nodes[::-1]
    return out


def removes_in_place(graph):
    keep = set(sol07.eliminate_dead_code(graph).nodes)
    graph.nodes[:] = [n for n in graph.nodes if n in keep]
    return graph


def nothing_removed(graph):
    return graph.copy()


@pytest.mark.parametrize('wrong, words', [
    (outputs_only, 'written back to state'),
    (no_closure, 'its inputs become needed too'),
    (left_reversed, 'out of order'),
    (removes_in_place, 'changed the graph it was given'),
    (nothing_removed, 'dead nodes are still there'),
    (lambda graph: sol07.eliminate_dead_code(graph).nodes, 'returned list'),
    (lambda graph: ([w.value.shape for w in graph.writes], sol07.eliminate_dead_code(graph))[1],
     'a state write whose value is None clears a .grad'),
])
def test_dead_code_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check07.check_eliminate_dead_code, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- to_source ---------------------------------------------------------------------------------------
def compile_source(source):
    namespace = {'math': math}
    exec(source, namespace)
    return next(v for k, v in namespace.items() if callable(v) and k != 'math')


def test_to_source_solution_is_accepted(verdict):
    result, out = verdict(check07.check_to_source, sol07.to_source, compile_source)
    assert result is True and out.startswith('✓ to_source'), out


def test_to_source_stub_is_not_done(verdict):
    result, out = verdict(check07.check_to_source, stub, compile_source)
    assert result is None and out.startswith('not done yet — hint:')


def _source(graph, constant=lambda v: f'({v!r})', expression=sol07.EXPRESSIONS, output=None,
            head=None):
    """Source with constants written in place by `constant(value)`."""
    def operand(a):
        return constant(graph.consts[a]) if a in graph.consts else a
    lines = [head or f'def compiled({", ".join(graph.inputs)}):']
    lines += [f'    {name} = {expression[op].format(*map(operand, args))}'
              for name, op, args in graph.nodes]
    lines.append(f'    return {output or graph.output}')
    return '\n'.join(lines)


def interpreter(graph):
    return '\n'.join([f'def compiled({", ".join(graph.inputs)}):',
                      f'    env = {{**{graph.consts!r}, **dict(zip({graph.inputs!r}, '
                      f'[{", ".join(graph.inputs)}]))}}',
                      f'    for name, op, args in {graph.nodes!r}:',
                      '        env[name] = OPS[op](*[env[a] for a in args])',
                      f'    return env[{graph.output!r}]'])


def constants_without_parentheses(graph):
    return _source(graph, constant=repr)


def constants_as_names_starting_with_c(graph):
    lines = [f'def compiled({", ".join(graph.inputs)}):']
    lines += [f'    {n} = {v!r}' for n, v in graph.consts.items() if n.startswith('c')]
    lines += [f'    {n} = {sol07.EXPRESSIONS[op].format(*args)}' for n, op, args in graph.nodes]
    return '\n'.join(lines + [f'    return {graph.output}'])


def unnamed_constants(graph):
    lines = [f'def compiled({", ".join(graph.inputs)}):']
    lines += [f'    {n} = {sol07.EXPRESSIONS[op].format(*args)}' for n, op, args in graph.nodes]
    return '\n'.join(lines + [f'    return {graph.output}'])


def returns_last_node(graph):
    return _source(graph, output=graph.nodes[-1][0])


def bare_tanh(graph):
    return _source(graph, expression={**sol07.EXPRESSIONS, 'tanh': 'tanh({})'})


@pytest.mark.parametrize('wrong, words', [
    (interpreter, 'the generated function loops'),
    (unnamed_constants, 'constants are not arguments'),
    (constants_as_names_starting_with_c, 'a folded graph has constants named t'),
    (constants_without_parentheses, 'is -(1.5 ** 2.0)'),
    (returns_last_node, 'the last node'),
    (bare_tanh, 'math.tanh(a)'),
    (lambda g: _source(g).replace('\n    return', '\n  return'), 'does not parse'),
    (lambda g: _source(g).encode(), 'return the source text'),
    (lambda g: _source(g, head=f'def compiled({", ".join(reversed(g.inputs))}):'),
     'arguments are in the wrong order'),
])
def test_to_source_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check07.check_to_source, wrong, compile_source)
    assert result is False and out.startswith('✗') and words in out, out
