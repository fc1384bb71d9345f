"""Shared test setup: the stand-in GPU device 'fakegpu' and the `device` fixture.

Every test that takes `device` runs on 'cpu', on 'fakegpu' (arrays that refuse to mix with numpy, as
CuPy's do: see tests/fake_gpu.py) and, where a GPU is present, on 'cuda'.
"""
import os
import sys

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

import minitorch as mt  # noqa: E402
from minitorch.backend import register_backend  # noqa: E402

import fake_gpu  # noqa: E402

register_backend(fake_gpu.FakeGpuBackend())

# the `device` fixture is a constant per test, so reusing it across hypothesis examples is safe
settings.register_profile('minitorch', max_examples=20, deadline=None, derandomize=True,
                          database=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile('minitorch')

DEVICES = ['cpu', 'fakegpu',
           pytest.param('cuda', marks=[pytest.mark.cuda, pytest.mark.skipif(
               not mt.cuda.is_available(), reason=f'no CUDA GPU: {mt.cuda.why_unavailable()}')])]


def pytest_configure(config):
    config.addinivalue_line('markers', 'cuda: needs a CUDA GPU (skipped without one)')
    config.addinivalue_line('markers', 'slow: takes more than a few seconds')


@pytest.fixture(params=DEVICES)
def device(request):
    return mt.device(request.param)


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    """A failing test must not leave grad mode switched off for the next one."""
    yield
    mt.autograd.grad_mode.STATE.enabled = True
    mt.autograd.thread_state.STATE.scope = ()

