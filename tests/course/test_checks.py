"""The plumbing every notebook's checkers share (course/lib/checks.py): calling the learner's code."""
import pytest

from lib.checks import Stub, call, call_raising_stub, no_answer


def stub(*args):
    raise NotImplementedError('exercise')


def test_call_tells_a_stub_a_result_and_an_exception_apart():
    assert call('f(2)', lambda x: x * 3, 2) == (6, 'ok')
    assert call('f(2)', stub, 2) == (None, 'stub')
    assert call('f(2)', lambda x: ..., 2) == (Ellipsis, 'stub')
    assert call('f(2)', lambda x: None, 2) == (None, 'stub')
    assert call('f(2)', lambda x: x / 0, 2) == (None, 'f(2) raised ZeroDivisionError: division by zero')


def test_call_where_none_is_a_mistake_and_with_keywords():
    assert call('f()', lambda: None, none_is_stub=False) == (None, 'ok')
    assert call('f()', lambda: ..., none_is_stub=False) == (Ellipsis, 'stub')
    assert call('f(1, b=2)', lambda a, b: a - b, 1, b=2) == (-1, 'ok')


def test_call_raising_stub():
    assert call_raising_stub('f(2)', lambda x: x * 3, 2) == (6, None)
    assert call_raising_stub('f(2)', lambda x: x[0], 2) == \
        (None, "✗ f(2) raised TypeError: 'int' object is not subscriptable")
    for unfinished in (stub, lambda x: ..., lambda x: None):
        with pytest.raises(Stub):
            call_raising_stub('f(2)', unfinished, 2)


def test_no_answer_prints_and_returns_the_verdict(capsys):
    assert no_answer('stub', 'hint: begin here', ' — unused') is None
    assert capsys.readouterr().out == 'not done yet — hint: begin here\n'
    assert no_answer('f(2) raised KeyError: 3', 'hint: begin here') is False
    assert capsys.readouterr().out == '✗ f(2) raised KeyError: 3\n'
    assert no_answer('f(2) raised KeyError: 3', 'hint: begin here', ' — look up 3') is False
    assert capsys.readouterr().out == '✗ f(2) raised KeyError: 3 — look up 3\n'
