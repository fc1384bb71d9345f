"""Pipeline schedules: which stage works on which micro-batch when, printed and drawn as a timeline.

    s = gpipe(stages=2, microbatches=4)     # the ideal fill–drain schedule, one tick per task
    print(s)                                # stage 0 | F1 F2 F3 F4 ·  ·  ·  ·  B4 B3 B2 B1 ...
    s.bubble()                              # the share of stage-ticks spent idle: (p−1)/(m+p−1)
    s.plot()                                # a matplotlib timeline

GPipe (fill–drain): every stage runs the forward pass of micro-batches 1 … m, then their backward
passes m … 1; a task starts as soon as its stage is free and its input is ready (forward i on stage s
needs forward i on stage s−1; backward i on stage s needs backward i on stage s+1, and the last stage's
backward i its own forward i).  While the pipe fills and drains, stages idle: the bubble.  With p
equal stages and m micro-batches the step takes m + p − 1 forward slots and as many backward ones,
of which each stage works m: the bubble is (p − 1) / (m + p − 1).

A Pipeline records the same kind of schedule as it runs (Schedule.measured), in seconds, with the
time each task spent waiting for a message taken out of its busy time.
"""
FORWARD, BACKWARD, UPDATE = 'F', 'B', 'U'


class Task:
    """One stage's work on one micro-batch: phase 'F', 'B' (or 'U', the optimizer step after the
    pipeline), from start to end; busy: the part of it spent computing (end − start − waits);
    waits: the (begin, end) intervals it spent waiting for messages."""
    __slots__ = ('stage', 'phase', 'microbatch', 'start', 'end', 'busy', 'waits')

    def __init__(self, stage, phase, microbatch, start, end, busy=None, waits=()):
        self.stage, self.phase, self.microbatch = stage, phase, microbatch
        self.start, self.end = start, end
        self.busy = end - start if busy is None else busy
        self.waits = list(waits)

    @property
    def label(self):
        return self.phase if self.microbatch is None else f'{self.phase}{self.microbatch}'

    def __repr__(self):
        return f'<Task stage {self.stage} {self.label} {self.start:g}–{self.end:g}>'


class Schedule:
    """Tasks of `stages` stages; `unit`: 'tick' (an ideal schedule) or 's' (measured)."""

    def __init__(self, tasks, stages, unit='tick', title=None):
        self.tasks = sorted(tasks, key=lambda t: (t.stage, t.start))
        self.stages, self.unit, self.title = stages, unit, title

    @classmethod
    def measured(cls, per_rank_tasks, title=None):
        """A schedule from the tasks each stage recorded (lists of Tasks, any order)."""
        tasks = [t for tasks in per_rank_tasks for t in tasks]
        return cls(tasks, 1 + max(t.stage for t in tasks), unit='s', title=title)

    @property
    def microbatches(self):
        """How many micro-batches the schedule runs (the highest micro-batch number)."""
        return max((t.microbatch or 0) for t in self.tasks)

    def pipelined(self):
        """The forward and backward tasks (the optimizer's step after the pipeline is left out)."""
        return [t for t in self.tasks if t.phase in (FORWARD, BACKWARD)]

    def span(self):
        """(start of the first forward task, end of the last backward task)."""
        tasks = self.pipelined()
        return min(t.start for t in tasks), max(t.end for t in tasks)

    def makespan(self):
        """From the first forward task's start to the last backward task's end."""
        start, end = self.span()
        return end - start

    def bubble(self):
        """The share of the stages' time within the makespan not spent computing: 1 − busy / (p·T)."""
        busy = sum(t.busy for t in self.pipelined())
        return 1 - busy / (self.stages * self.makespan())

    # --- text -----------------------------------------------------------------------------------
    def grid(self):
        """For a schedule in ticks: one row per stage, one label per tick ('F2', 'B1', '' idle)."""
        if self.unit != 'tick':
            raise ValueError('grid(): a measured schedule has no ticks; print it or plot it')
        width = round(max(t.end for t in self.tasks))
        rows = [[''] * width for _ in range(self.stages)]
        for t in self.tasks:
            for tick in range(round(t.start), round(t.end)):
                rows[t.stage][tick] = t.label
        return rows

    def __str__(self):
        head = f'{self.title}\n' if self.title else ''
        if self.unit == 'tick':
            rows = self.grid()
            cell = max(2, max(len(label) for row in rows for label in row))
            lines = [f'stage {s} | ' + ' '.join((label or '·').ljust(cell) for label in row).rstrip()
                     for s, row in enumerate(rows)]
            return head + '\n'.join(lines) + f'\nbubble: {self.bubble():.0%} of the stage-ticks idle'
        start = self.span()[0]
        lines = []
        for s in range(self.stages):
            mine = [t for t in self.tasks if t.stage == s]
            lines.append(f'stage {s} | ' + '  '.join(
                f'{t.label} {1e3 * (t.start - start):.2f}–{1e3 * (t.end - start):.2f}' for t in mine))
        return head + '\n'.join(lines) + (f'\n(ms) makespan {1e3 * self.makespan():.2f} ms, bubble '
                                          f'{self.bubble():.0%} of the stages\' time')

    __repr__ = __str__

    # --- picture --------------------------------------------------------------------------------
    def plot(self, ax=None, title=None):
        """A timeline: one row per stage, a bar per task (forward blue, backward orange, update
        grey), labelled with its micro-batch; time spent waiting for a message is left blank."""
        import matplotlib.pyplot as plt
        if ax is None:
            _, ax = plt.subplots(figsize=(9, 0.6 * self.stages + 1.2))
        scale, origin = (1.0, 0.0) if self.unit == 'tick' else (1e3, self.span()[0])
        colours = {FORWARD: '#6fa8dc', BACKWARD: '#f6b26b', UPDATE: '#b7b7b7'}
        for t in self.tasks:
            for a, b in _computing(t):
                left, width = (a - origin) * scale, (b - a) * scale
                ax.barh(t.stage, width, left=left, height=0.7, color=colours[t.phase],
                        edgecolor='black', linewidth=0.5)
            middle = ((t.start + t.end) / 2 - origin) * scale
            if self.unit == 'tick' or (t.end - t.start) > 0.03 * self.makespan():
                ax.text(middle, t.stage, t.label, ha='center', va='center', fontsize=8)
        ax.set_yticks(range(self.stages), [f'stage {s}' for s in range(self.stages)])
        ax.invert_yaxis()
        ax.set_xlabel('time (ticks)' if self.unit == 'tick' else 'time (ms)')
        ax.set_title(title or self.title or f'{self.stages} stages, {self.microbatches} '
                     f'micro-batches: bubble {self.bubble():.0%}', fontsize=10)
        return ax


def _computing(task):
    """The parts of a task's interval not spent waiting."""
    parts, at = [], task.start
    for a, b in sorted(task.waits):
        if a > at:
            parts.append((at, a))
        at = max(at, b)
    if task.end > at:
        parts.append((at, task.end))
    return parts


def gpipe(stages, microbatches, forward=1, backward=1):
    """The ideal GPipe schedule: each forward task takes `forward` ticks, each backward `backward`."""
    end = {}
    tasks = []
    for s in range(stages):
        free = 0
        for i in range(1, microbatches + 1):
            ready = end.get((FORWARD, s - 1, i), 0)
            start = max(free, ready)
            free = end[(FORWARD, s, i)] = start + forward
    for s in reversed(range(stages)):
        free = end[(FORWARD, s, microbatches)]
        for i in reversed(range(1, microbatches + 1)):
            ready = end.get((BACKWARD, s + 1, i), end[(FORWARD, s, i)])
            start = max(free, ready)
            free = end[(BACKWARD, s, i)] = start + backward
    for (phase, s, i), stop in end.items():
        length = forward if phase == FORWARD else backward
        tasks.append(Task(s, phase, i, stop - length, stop))
    return Schedule(tasks, stages, 'tick', f'GPipe, {stages} stages, {microbatches} micro-batches')


def bubble_model(stages, microbatches):
    """The bubble of GPipe with equal stages: (p − 1) / (m + p − 1)."""
    return (stages - 1) / (microbatches + stages - 1)
