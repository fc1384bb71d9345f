"""mt.cuda: is a CUDA GPU usable here?  Probed once (CuPy is imported only when asked)."""
from .backend import get_backend

__all__ = ['is_available', 'device_count', 'why_unavailable', 'synchronize', 'manual_seed']


def is_available():
    """Whether a CUDA GPU can be used (CuPy installed and a GPU found); see why_unavailable()."""
    return get_backend('cuda').available()


def device_count():
    """The number of CUDA GPUs that can be used (0 when none)."""
    return get_backend('cuda').count() if is_available() else 0


def why_unavailable():
    """One line saying why no GPU can be used ('' when one can)."""
    return get_backend('cuda').why_unavailable()


def synchronize():
    """Wait for queued GPU work (timings of GPU code need this)."""
    if is_available():
        get_backend('cuda').xp.cuda.Device().synchronize()


def manual_seed(seed):
    """Seed the random generators: like mt.manual_seed, every device's, the CPU's included
    (torch.cuda.manual_seed seeds the current GPU's only)."""
    from .backend import manual_seed as seed_all
    seed_all(seed)
