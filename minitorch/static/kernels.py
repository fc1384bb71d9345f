"""CUDA source for a fused elementwise program, made from the ops' own `kernel` templates.

Each step of the program becomes one line of C, its op's template filled in (`{0} * {1}` with the
names of its operands), so no op's math is written here:

    __device__ __forceinline__ float fused_body(const float x0) {
        const float s0 = 1.5f * x0;
        const float s1 = s0 + 0.5f;
        const float s2 = tanh(s1);
        ...

Two ways to run it (CuPy only; the source is plain text, so it is checked without a GPU):
  - a RawKernel, when every input has the result's shape and is contiguous: a grid-stride loop,
    reading and writing four float32 at a time (float4, 16 bytes) when every array is float32, then
    the tail one element at a time.  Elementwise chains are limited by memory bandwidth, and
    CuPy's ElementwiseKernel, which indexes each element through its shape, reaches ~40 % of a
    device copy's bandwidth where such a kernel reaches ~80 % (measured on an H200, see DESIGN.md);
  - a cupy.ElementwiseKernel otherwise (broadcast or strided inputs, float16): CuPy's indexing
    handles the broadcasting.
Kernels are compiled on first use and cached by their source.
"""
import math
import re

import numpy as np

CTYPES = {'bool': 'bool', 'int8': 'signed char', 'uint8': 'unsigned char', 'int16': 'short',
          'int32': 'int', 'int64': 'long long', 'float32': 'float', 'float64': 'double'}
THREADS = 256               # threads per block
BLOCKS_PER_SM = 16          # the grid-stride loop's grid: enough blocks to keep every SM busy


def kernel_name(program):
    """A C identifier from the node's printed name: fused_mul_add_tanh..."""
    from .fused import label
    return re.sub(r'\W+', '_', label(program)).strip('_')


def fits_raw_kernel(program):
    """Whether every input has the result's shape and every dtype is one the RawKernel knows."""
    result = program.result
    return all(shape == result.shape for shape, _ in program.inputs) and \
        all(d.name in CTYPES for d in _dtypes(program))


def vectorizable(program):
    """Whether every input and the result are float32 (four of them make one 16-byte float4)."""
    return program.result.dtype == np.float32 and all(d == np.float32 for _, d in program.inputs)


def _dtypes(program):
    return [d for _, d in program.inputs] + [step.dtype for step in program.steps]


# --- the body: one line per step ---------------------------------------------------------------
def body_lines(program, inputs, ctype):
    """`const T sK = <template>;` per step; inputs: the C names of the inputs; ctype(dtype)."""
    lines = []
    for k, step in enumerate(program.steps):
        const_dtype = _constant_dtype(program, step)
        args = []
        for kind, what in step.operands:
            if kind == 'input':
                args.append(inputs[what])
            elif kind == 'step':
                args.append(f's{what}')
            else:
                args.append(literal(what, const_dtype))
        lines.append(f'const {ctype(step.dtype)} s{k} = {step.op.kernel.format(*args)};')
    return lines


def _constant_dtype(program, step):
    """A Python number takes the dtype of the arrays it meets (numpy's rule for weak scalars): the
    result's, or for a comparison (bool result) the operands'."""
    if step.dtype.kind != 'b':
        return step.dtype
    arrays = [program.inputs[what][1] if kind == 'input' else program.steps[what].dtype
              for kind, what in step.operands if kind != 'const']
    return np.result_type(*arrays) if arrays else step.dtype


def literal(value, dtype):
    """value as a C literal of dtype (negative numbers in parentheses, so `-{0}` stays valid)."""
    kind = np.dtype(dtype).kind
    if kind == 'b':
        return 'true' if value else 'false'
    if kind in 'iu':
        text = str(int(value)) + ('LL' if abs(int(value)) >= 2 ** 31 else '')
    else:
        single = np.dtype(dtype).itemsize <= 4
        number = float(np.dtype(dtype).type(value))     # the value numpy computes with
        if not math.isfinite(number):
            return _special(number, single)
        text = repr(number) + ('f' if single else '')
    return f'({text})' if text.startswith('-') else text


def _special(number, single):
    """inf and nan by their bits (C has no literal for them without a header)."""
    if single:
        nan, inf = '__int_as_float(0x7fffffff)', '__int_as_float(0x7f800000)'
    else:
        nan = '__longlong_as_double(0x7ff8000000000000LL)'
        inf = '__longlong_as_double(0x7ff0000000000000LL)'
    if math.isnan(number):
        return nan
    return inf if number > 0 else f'(-{inf})'


def _raw_ctype(dtype):
    return CTYPES[np.dtype(dtype).name]


def _computing_ctype(dtype):
    """float16 values are computed in float inside a kernel (CuPy's float16 converts to float)."""
    return 'float' if np.dtype(dtype) == np.float16 else CTYPES[np.dtype(dtype).name]


# --- the source --------------------------------------------------------------------------------
# The templates call max, min and abs; C's versions differ from numpy's (fmaxf drops a NaN where
# numpy.maximum keeps it; max(float, int) is ambiguous), so the body is compiled in a namespace
# whose own max, min and abs hide them and follow numpy.
PRELUDE = """\
template <typename A, typename B>
__device__ __forceinline__ A max(A a, B b) { return (a > b || a != a) ? a : (A)b; }
template <typename A, typename B>
__device__ __forceinline__ A min(A a, B b) { return (a < b || a != a) ? a : (A)b; }
__device__ __forceinline__ float abs(float a) { return fabsf(a); }
__device__ __forceinline__ double abs(double a) { return fabs(a); }
"""


def body_source(program, ctype):
    """`minitorch::fused_body(inputs...)`: the program for one element, in namespace minitorch."""
    from .fused import label
    names = [f'x{i}' for i in range(len(program.inputs))]
    params = ', '.join(f'const {ctype(d)} {x}' for x, (_, d) in zip(names, program.inputs))
    result_type = ctype(program.result.dtype)
    lines = [f'// {label(program)}: generated by minitorch.static.kernels',
             'namespace minitorch {', PRELUDE,
             f'__device__ __forceinline__ {result_type} fused_body({params}) {{']
    lines += [f'    {line}' for line in body_lines(program, names, ctype)]
    lines += [f'    return s{len(program.steps) - 1};', '}', '}  // namespace minitorch', '']
    return '\n'.join(lines)


def raw_kernel_source(program):
    """The CUDA C of a RawKernel for the program (see fits_raw_kernel)."""
    n_in = len(program.inputs)
    result_type = _raw_ctype(program.result.dtype)
    pointers = [f'const {_raw_ctype(d)}* in{i}' for i, (_, d) in enumerate(program.inputs)]
    vector = vectorizable(program)
    counts = 'const long long n, const long long n4' if vector else 'const long long n'
    lines = [body_source(program, _raw_ctype),
             f'extern "C" __global__ void {kernel_name(program)}(',
             f'        {", ".join(pointers + [f"{result_type}* out", counts])}) {{',
             '    const long long start = (long long)blockIdx.x * blockDim.x + threadIdx.x;',
             '    const long long stride = (long long)gridDim.x * blockDim.x;']
    if vector:
        lines += ['    for (long long i = start; i < n4; i += stride) {    // 16-byte loads']
        lines += [f'        const float4 a{i} = reinterpret_cast<const float4*>(in{i})[i];'
                  for i in range(n_in)]
        lines += ['        float4 r;']
        lines += [f'        r.{c} = {_call([f"a{i}.{c}" for i in range(n_in)])};' for c in 'xyzw']
        lines += ['        reinterpret_cast<float4*>(out)[i] = r;', '    }',
                  '    for (long long i = 4 * n4 + start; i < n; i += stride) {    // the tail']
    else:
        lines += ['    for (long long i = start; i < n; i += stride) {']
    lines += [f'        out[i] = {_call([f"in{i}[i]" for i in range(n_in)])};', '    }', '}']
    return '\n'.join(lines) + '\n'


def _call(args):
    return f'minitorch::fused_body({", ".join(args)})'


def elementwise_kernel_parts(program):
    """(in_params, out_params, operation, name, preamble) for cupy.ElementwiseKernel."""
    n_in = len(program.inputs)
    in_params = ', '.join(f'{d.name} x{i}' for i, (_, d) in enumerate(program.inputs))
    out_params = f'{program.result.dtype.name} y'
    operation = f'y = {_call([f"x{i}" for i in range(n_in)])};'
    return in_params, out_params, operation, kernel_name(program), \
        body_source(program, _computing_ctype)


_COMPILED = {}


def _compiled(cp, kind, *parts):
    """cupy.RawKernel(source, name) or cupy.ElementwiseKernel(*parts), made once per source."""
    key = (kind,) + parts
    found = _COMPILED.get(key)
    if found is None:
        if kind == 'raw':
            found = cp.RawKernel(*parts)
        else:
            in_params, out_params, operation, name, preamble = parts
            found = cp.ElementwiseKernel(in_params, out_params, operation, name, preamble=preamble)
        _COMPILED[key] = found
    return found


class GpuRunner:
    """Runs a program on CuPy arrays as one kernel launch; forward(*arrays, out=None)."""

    def __init__(self, program, cp):
        self.program, self.cp = program, cp
        self.raw = fits_raw_kernel(program)
        self.vector = self.raw and vectorizable(program)
        self.source = raw_kernel_source(program) if self.raw else None
        self.parts = elementwise_kernel_parts(program)
        self.name = kernel_name(program)

    def __call__(self, *arrays, out=None):
        result = self.program.result
        target = out if self._writable(out, arrays) else self.cp.empty(result.shape, result.dtype)
        if target.size:
            if self.raw and target.flags.c_contiguous and all(a.flags.c_contiguous for a in arrays):
                self._launch(arrays, target)
            else:
                _compiled(self.cp, 'elementwise', *self.parts)(*arrays, target)
        if out is not None and target is not out:
            out[...] = target
            return out
        return target

    def _writable(self, out, arrays):
        """out can take the result directly: right type, and no input overlaps it other than an
        input that is out itself (each element is then read before the same thread writes it)."""
        if out is None or out.shape != self.program.result.shape or \
                out.dtype != self.program.result.dtype:
            return False
        return all(a is out or not self.cp.may_share_memory(a, out) for a in arrays)

    def _launch(self, arrays, target):
        n = target.size
        aligned = all(a.data.ptr % 16 == 0 for a in arrays + (target,))
        n4 = n // 4 if self.vector and aligned else 0
        work = max(n4, n - 4 * n4)
        blocks = max(1, min(-(-work // THREADS), _sm_count(self.cp) * BLOCKS_PER_SM))
        counts = (np.int64(n), np.int64(n4)) if self.vector else (np.int64(n),)
        kernel = _compiled(self.cp, 'raw', self.source, self.name)
        kernel((blocks,), (THREADS,), tuple(arrays) + (target,) + counts)


_SMS = {}


def _sm_count(cp):
    device = cp.cuda.Device()
    found = _SMS.get(device.id)
    if found is None:
        found = _SMS[device.id] = device.attributes['MultiProcessorCount']
    return found
