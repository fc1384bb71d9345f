"""The CUDA source generated for fused elementwise nodes: checked as text everywhere (a golden
file), compiled and run only where a GPU is present.

To accept a deliberate change of the generated source: MINITORCH_UPDATE_GOLDEN=1 pytest this file,
then review the diff of tests/static/golden/."""
import os
import pathlib

import numpy as np
import pytest

import minitorch as mt
from minitorch.static import kernels
from minitorch.static.fused import CpuRunner, FusedElementwise

GOLDEN = pathlib.Path(__file__).parent / 'golden'
cuda = pytest.mark.skipif(not mt.cuda.is_available(),
                          reason=f'no CUDA GPU: {mt.cuda.why_unavailable()}')


def chain10(x):
    return ((1.5 * x + 0.5).tanh() * x - 0.25).abs().sqrt().add(1).log() * 2


def program_of(fn, *args):
    """The program of the one fused node that tracing fn gives."""
    f = mt.static.function(fn)
    f(*args)
    fused = [n for n in f.graph.nodes if issubclass(n.op, FusedElementwise)]
    assert len(fused) == 1, f.graph
    return fused[0].op.program


def check_golden(name, text):
    path = GOLDEN / name
    if os.environ.get('MINITORCH_UPDATE_GOLDEN'):
        path.write_text(text)
    assert text == path.read_text(), f'generated source differs from {path}'


def test_the_chain_kernel_source_is_the_golden_one():
    program = program_of(chain10, mt.randn(16))
    assert kernels.fits_raw_kernel(program) and kernels.vectorizable(program)
    check_golden('chain10_float32.cu', kernels.raw_kernel_source(program))


def test_the_source_does_not_depend_on_the_size():
    a = kernels.raw_kernel_source(program_of(chain10, mt.randn(16)))
    b = kernels.raw_kernel_source(program_of(chain10, mt.randn(3, 1001)))
    assert a == b


def test_float64_loops_one_element_at_a_time():
    source = kernels.raw_kernel_source(program_of(chain10, mt.randn(16, dtype=mt.float64)))
    assert 'float4' not in source and 'n4' not in source
    assert 'const double s0 = 1.5 * x0;' in source
    assert 'for (long long i = start; i < n; i += stride)' in source


def test_broadcasting_and_float16_use_an_elementwise_kernel():
    broadcast = program_of(lambda x, b: (x + b).tanh() * 2, mt.randn(3, 4), mt.randn(4))
    assert not kernels.fits_raw_kernel(broadcast)
    in_params, out_params, operation, name, preamble = kernels.elementwise_kernel_parts(broadcast)
    assert (in_params, out_params) == ('float32 x0, float32 x1', 'float32 y')
    assert (operation, name) == ('y = minitorch::fused_body(x0, x1);', 'fused_add_tanh_mul')
    assert _body(preamble) == ['float fused_body(const float x0, const float x1) {',
                               'const float s0 = x0 + x1;', 'const float s1 = tanh(s0);',
                               'const float s2 = s1 * 2.0f;', 'return s2;']
    half = program_of(chain10, mt.randn(8, dtype=mt.float16))
    assert not kernels.fits_raw_kernel(half)          # float16 is computed in float, by CuPy's type
    in_params, out_params, _, _, preamble = kernels.elementwise_kernel_parts(half)
    assert (in_params, out_params) == ('float16 x0', 'float16 y')
    assert _body(preamble)[:2] == ['float fused_body(const float x0) {', 'const float s0 = 1.5f * x0;']


def _body(source):
    """The lines of fused_body, stripped, from its signature to its return."""
    lines = [line.strip() for line in source.splitlines()]
    start = next(i for i, line in enumerate(lines) if 'fused_body(' in line)
    end = next(i for i, line in enumerate(lines) if line.startswith('return '))
    return [lines[start].replace('__device__ __forceinline__ ', '')] + lines[start + 1:end + 1]


def test_constants_take_the_dtype_numpy_computes_with():
    program = program_of(lambda x: mt.where(x > 0.5, x * -2, x - 1), mt.randn(4))
    body = _body(kernels.raw_kernel_source(program))
    assert 'const bool s0 = x0 > 0.5f;' in body               # compared as float32
    assert 'const float s1 = x0 * (-2.0f);' in body           # parenthesised: `-{0}` stays valid
    assert kernels.literal(0.1, np.float32) == f'{float(np.float32(0.1))!r}f'
    assert kernels.literal(0.1, np.float64) == '0.1'
    assert kernels.literal(1.1, np.float16) == '1.099609375f'
    assert kernels.literal(float('inf'), np.float32) == '__int_as_float(0x7f800000)'
    assert kernels.literal(float('-inf'), np.float64) == \
        '(-__longlong_as_double(0x7ff0000000000000LL))'
    assert kernels.literal(float('nan'), np.float32) == '__int_as_float(0x7fffffff)'
    assert kernels.literal(-3, np.int32) == '(-3)'
    assert kernels.literal(2 ** 40, np.int64) == '1099511627776LL'
    assert kernels.literal(1, np.bool_) == 'true'


def test_every_fusible_op_template_takes_its_operands():
    from minitorch.ops.elementwise import Elementwise

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)
    for op in set(subclasses(Elementwise)):
        if op.kernel is not None:
            text = op.kernel.format('a', 'b', 'c')
            assert '{' not in text and '}' not in text, op


# --- on a GPU ------------------------------------------------------------------------------------
def _on_gpu(program, *arrays, out=None):
    import cupy
    return FusedElementwise.of(program).codegen(cupy)(*[cupy.asarray(a) for a in arrays], out=out)


def _on_cpu(program, *arrays):
    return CpuRunner(program, np)(*arrays)


@pytest.mark.cuda
@cuda
def test_the_chain_kernel_runs_on_the_gpu():
    import cupy
    program = program_of(chain10, mt.randn(16))
    x = np.random.default_rng(0).standard_normal((1 << 20) + 3).astype(np.float32)   # a tail of 3
    want = _on_cpu(program, x)
    got = _on_gpu(program, x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(cupy.asnumpy(got), want, rtol=1e-5, atol=1e-6)
    unaligned = cupy.asarray(x)[1:]                                    # no float4 loads then
    np.testing.assert_allclose(cupy.asnumpy(_on_gpu(program, unaligned)), _on_cpu(program, x[1:]),
                               rtol=1e-5, atol=1e-6)
    inplace = cupy.asarray(x)
    assert _on_gpu(program, inplace, out=inplace) is inplace
    np.testing.assert_allclose(cupy.asnumpy(inplace), want, rtol=1e-5, atol=1e-6)


@pytest.mark.cuda
@cuda
def test_a_broadcast_group_runs_as_an_elementwise_kernel_on_the_gpu():
    import cupy
    program = program_of(lambda x, b: (x + b).tanh() * 2 + (b * 0.5).relu(), mt.randn(3, 4),
                         mt.randn(4))
    rng = np.random.default_rng(1)
    x = rng.standard_normal((300, 40)).astype(np.float32)
    b = rng.standard_normal(40).astype(np.float32)
    np.testing.assert_allclose(cupy.asnumpy(_on_gpu(program, x, b)), _on_cpu(program, x, b),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.cuda
@cuda
def test_a_traced_function_runs_its_fused_kernel_on_the_gpu():
    f = mt.static.function(chain10)
    x = mt.randn(1 << 16, device='cuda')
    got = f(x)
    assert f.graph.nodes[0].name.startswith('fused[')
    np.testing.assert_allclose(got.cpu().numpy(), chain10(x).cpu().numpy(), rtol=1e-5, atol=1e-6)
