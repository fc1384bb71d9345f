"""What a benchmark ran on: machine, CPU, BLAS and its threads, library versions, device.

Every results file and every plot carries this, so a figure is never read without its machine.
`machine_name()` is the stable name of the results file: gpu-h200, gpu-h100, cpu-epyc-2c, ...
"""
import os
import platform
import re
import sys


def cpu_model():
    """The CPU's model name ('AMD EPYC', 'Intel(R) Xeon(R) ...'), from /proc/cpuinfo or platform."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gpu_name():
    """The first CUDA GPU's name, or None when there is none (CuPy missing or no device)."""
    import minitorch as mt
    if not mt.cuda.is_available():
        return None
    import cupy
    props = cupy.cuda.runtime.getDeviceProperties(0)
    name = props['name']
    return name.decode() if isinstance(name, bytes) else name


def machine_name():
    """gpu-<model> on a GPU machine (gpu-h200), else cpu-<family>-<cores>c (cpu-epyc-2c)."""
    gpu = gpu_name()
    if gpu:
        words = [w for w in re.findall(r'[A-Za-z0-9]+', gpu) if w.upper() not in
                 ('NVIDIA', 'TESLA', 'GEFORCE', 'PCIE', 'SXM', 'SXM5', 'NVL', 'GB', 'HBM3')]
        model = next((w for w in words if re.search(r'\d', w)), words[0] if words else 'cuda')
        return f'gpu-{model.lower()}'
    model = cpu_model()
    family = next((w for w in ('epyc', 'ryzen', 'xeon', 'core', 'neoverse', 'apple')
                   if w in model.lower()), platform.machine().lower())
    return f'cpu-{family}-{os.cpu_count()}c'


def blas():
    """'openblas 0.3.31 (1 thread)' for the BLAS numpy uses, as threadpoolctl sees it now."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return 'unknown (threadpoolctl is missing)'
    found = [i for i in threadpool_info() if i.get('user_api') == 'blas']
    if not found:
        return 'unknown'
    info = found[0]
    threads = info.get('num_threads')
    return f"{info.get('internal_api')} {info.get('version')} ({threads} thread{'s' * (threads != 1)})"


def versions():
    """{library: version} of what the figures depend on (absent libraries left out)."""
    import numpy
    import minitorch
    found = {'python': platform.python_version(), 'numpy': numpy.__version__,
             'minitorch': minitorch.__version__}
    for name in ('torch', 'cupy', 'mpi4py'):
        module = sys.modules.get(name)
        if module is None:
            try:
                module = __import__(name)
            except ImportError:
                continue
        found[name] = getattr(module, '__version__', '?')
    return found


def describe(blas_line=None):
    """{field: text} for a results file's header and a plot's footer."""
    gpu = gpu_name()
    return {'machine': machine_name(),
            'CPU': f'{cpu_model()}, {os.cpu_count()} cores visible ({platform.machine()})',
            'BLAS': blas_line or blas(),
            'threads': 'BLAS and PyTorch pinned to 1 thread; one process unless stated',
            'versions': ', '.join(f'{k} {v}' for k, v in versions().items()),
            'device': f'{gpu} (CUDA) and the CPU' if gpu else 'CPU only (no CUDA GPU here)'}
