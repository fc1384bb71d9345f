"""The profiler's table: events summed per (name, phase[, input shapes]), formatted like PyTorch's
`prof.key_averages().table(...)`."""
from .clocks import describe

SORT_KEYS = ('self_cpu_time_total', 'cpu_time_total', 'cpu_time', 'count', 'device_time_total',
             'allocated', 'saved')
_ALIASES = {'cuda_time_total': 'device_time_total', 'self_cpu_memory_usage': 'allocated',
            'cpu_memory_usage': 'allocated'}


class Row:
    """The calls of one op in one phase: count, CPU seconds (total, self, mean per call), device
    seconds (from CUDA events, else None), bytes allocated and saved for backward (summed)."""
    __slots__ = ('key', 'phase', 'input_shapes', 'count', 'cpu_time_total', 'self_cpu_time_total',
                 'device_time_total', 'allocated', 'saved')

    def __init__(self, key, phase, input_shapes):
        self.key, self.phase, self.input_shapes = key, phase, input_shapes
        self.count = 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.device_time_total = None
        self.allocated = self.saved = 0

    @property
    def cpu_time(self):
        """Mean CPU seconds per call."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def add(self, event):
        self.count += 1
        self.cpu_time_total += event.duration
        self.self_cpu_time_total += event.self_time
        if event.device_time is not None:
            self.device_time_total = (self.device_time_total or 0.0) + event.device_time
        self.allocated += event.allocated
        self.saved += event.saved

    def __repr__(self):
        return f'<Row {self.key} ({self.phase}) x{self.count} {self.cpu_time_total * 1e3:.3f} ms>'


class Averages(list):
    """Rows, one per op and phase; .table() formats them."""

    def __init__(self, rows, profiler):
        super().__init__(rows)
        self.profiler = profiler

    def table(self, sort_by='self_cpu_time_total', row_limit=100):
        key = _ALIASES.get(sort_by, sort_by)
        if key not in SORT_KEYS:
            raise ValueError(f'table: cannot sort by {sort_by!r}; sort_by is one of '
                             f'{", ".join(SORT_KEYS)}')
        rows = sorted(self, key=lambda r: getattr(r, key) or 0, reverse=True)
        if row_limit is not None and row_limit >= 0:
            rows = rows[:row_limit]
        return format_table(rows, self.profiler)


BETWEEN_OPS = '(Python between ops)'


def averages(events, by_shapes, profiler):
    """Rows summing the events per (name, phase[, shapes]), and one row per phase for the Python
    that ran between top-level events (its phase: the next event's)."""
    rows = {}
    for event in events:
        key = (event.name, event.phase, event.shapes if by_shapes else None)
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row(*key)
        row.add(event)
    rows = list(rows.values())
    for phase, (seconds, gaps) in profiler.between_ops.items():
        row = Row(BETWEEN_OPS, phase, None)
        row.count, row.cpu_time_total = gaps, seconds
        row.self_cpu_time_total = seconds
        rows.append(row)
    return Averages(rows, profiler)


def format_table(rows, profiler):
    ops, between = profiler.self_cpu_time_total, profiler.between_ops_total
    total = ops + between
    device = any(r.device_time_total is not None for r in rows)
    shapes = any(r.input_shapes is not None for r in rows)
    headers = ['Name', 'Phase', 'Self CPU %', 'Self CPU', 'CPU total', 'CPU time avg', '# of Calls']
    headers += ['Device total'] if device else []
    headers += ['Allocated', 'Saved for bwd'] + (['Input Shapes'] if shapes else [])
    body = []
    for r in rows:
        line = [_short(r.key, 40), r.phase, f'{100 * r.self_cpu_time_total / total:.2f}%' if total
                else '-', format_time(r.self_cpu_time_total), format_time(r.cpu_time_total),
                format_time(r.cpu_time), str(r.count)]
        if device:
            line.append(format_time(r.device_time_total) if r.device_time_total is not None
                        else '-')
        line += [format_bytes(r.allocated), format_bytes(r.saved)]
        if shapes:
            line.append(_short(str([list(s) for s in r.input_shapes]), 50) if r.input_shapes
                        is not None else '')
        body.append(line)
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h)
              for i, h in enumerate(headers)]
    rule = '-' * (sum(widths) + 2 * (len(widths) - 1))

    def text(cells):
        return '  '.join(c.ljust(w) if i < 2 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))
    lines = [rule, text(headers), rule] + [text(b) for b in body] + [rule]
    lines.append(f'Self CPU time total: {format_time(ops)} in ops + {format_time(between)} of '
                 f'Python between ops = {format_time(total)}')
    if profiler.wall_time:
        lines.append(f'Wall time of the profiled block: {format_time(profiler.wall_time)}, of '
                     f'which the profiler\'s own bookkeeping {format_time(profiler.overhead)}')
    lines.append(describe({c.kind for c in profiler.clocks.values()}))
    return '\n'.join(lines)


def format_time(seconds):
    """12.345us, 1.234ms, 2.345s (PyTorch's table style)."""
    if seconds is None:
        return '-'
    if seconds < 1e-3:
        return f'{seconds * 1e6:.3f}us'
    if seconds < 1:
        return f'{seconds * 1e3:.3f}ms'
    return f'{seconds:.3f}s'


def format_bytes(n):
    """Bytes with a binary unit: 512 B, 3.91 KB, 1.50 MB (1 KB = 1024 B)."""
    if not n:
        return '0 B'
    for unit, size in (('GB', 1 << 30), ('MB', 1 << 20), ('KB', 1 << 10)):
        if abs(n) >= size:
            return f'{n / size:.2f} {unit}'
    return f'{n} B'


def _short(text, width):
    return text if len(text) <= width else text[:width - 3] + '...'
