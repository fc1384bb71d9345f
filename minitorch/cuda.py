"""mt.cuda: is a CUDA GPU usable here?  Probed once (CuPy is imported only when asked)."""
from .backend import get_backend


def is_available():
    return get_backend('cuda').available()


def device_count():
    return get_backend('cuda').count() if is_available() else 0


def why_unavailable():
    """One line saying why no GPU can be used ('' when one can)."""
    return get_backend('cuda').why_unavailable()


def synchronize():
    """Wait for queued GPU work (timings of GPU code need this)."""
    if is_available():
        get_backend('cuda').xp.cuda.Device().synchronize()


def manual_seed(seed):
    from .backend import manual_seed as seed_all
    seed_all(seed)
