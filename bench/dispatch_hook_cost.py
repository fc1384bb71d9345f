"""What the dispatch hook in Primitive.apply costs when nothing is installed.

Times the per-op chain of bench/op_overhead.py (200 x `y = y * 1.001 + 0.001` on 4x4, then backward)
with Primitive.apply as it is and with a copy of it whose hook check is removed, alternated in one
process, one BLAS thread.  The difference is the price every eager op pays for the tracer and the
profiler being possible.
"""
import inspect
import sys
import textwrap

import minitorch as mt
from minitorch.autograd import function as function_module
from _timing import alternate, one_blas_thread, table

ITERS, OPS = 200, 400


def chain():
    x = mt.ones(4, 4, requires_grad=True)
    y = x
    for _ in range(ITERS):
        y = y * 1.001 + 0.001
    y.sum().backward()


def apply_without_hook():
    """Primitive.apply compiled again from its own source, minus the two lines of the hook."""
    source = textwrap.dedent(inspect.getsource(function_module.Primitive.apply.__func__))
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if 'INSTALLED[0]' in line)
    del lines[start:start + 2]
    namespace = dict(vars(function_module))
    exec('\n'.join(lines[1:]), namespace)          # drop the @classmethod line
    return classmethod(namespace['apply'])


def main(repeats=300):
    with_hook = function_module.Primitive.__dict__['apply']
    without = apply_without_hook()

    def run(apply):
        def go():
            function_module.Primitive.apply = apply
            try:
                chain()
            finally:
                function_module.Primitive.apply = with_hook
        return go
    with one_blas_thread():
        best = alternate({'with the hook': run(with_hook), 'hook removed': run(without)}, repeats)
    base = best['hook removed']
    print(f'{ITERS} x (y * 1.001 + 0.001) on 4x4 float32 + backward; best of {repeats} alternated '
          f'runs, 1 BLAS thread')
    table([(name, f'{t / OPS * 1e6:.3f} us', f'{t / base:.3f}x') for name, t in best.items()],
          ['Primitive.apply', 'per op', 'ratio'])


if __name__ == '__main__':
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
