"""Setup for the tests of the course's checkers: course/ on sys.path, so that `lib` and `solutions`
import as the notebooks import them, and the `verdict` fixture every test of a checker uses."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'course'))


@pytest.fixture
def verdict(capsys):
    """verdict(checker, *answers) -> (what the checker returned, what it printed)."""
    def run(checker, *answers):
        result = checker(*answers)
        return result, capsys.readouterr().out
    return run
