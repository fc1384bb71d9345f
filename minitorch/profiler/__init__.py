"""minitorch.profiler: where the time and the memory of a program go, op by op.

    with mt.profiler.profile(record_shapes=True) as prof:
        loss = model(x).pow(2).sum()
        loss.backward()
    print(prof.table(sort_by='self_cpu_time_total', row_limit=10))
    prof.export_chrome_trace('trace.json')

Per op and phase (forward, backward, a static graph's node): calls, CPU time (total, self, mean),
device time on a GPU, bytes its outputs allocated and bytes held for backward by its saved tensors.
The names follow torch.profiler (profile, record_function, key_averages, table, export_chrome_trace).
"""
from .events import Event
from .profile import profile, record_function
from .table import SORT_KEYS, format_bytes, format_time

__all__ = ['profile', 'record_function', 'Event', 'SORT_KEYS', 'format_bytes', 'format_time']
