"""The suite's results: sections of tables and plots, printed as they come and written as one Markdown
file with its PNG plots beside it (bench/results/<machine>.md).

A bench script's `suite(config)` returns a Section; run_all.py gathers them.  Every plot carries a
footer naming the machine, CPU, BLAS and threads, library versions and device (from _machine.py).
"""
import os
import sys

from _timing import table as print_table


class Config:
    """How much to run.  mode: 'full' (make bench), 'quick' (QUICK=1: under a minute on 2 cores),
    'gpu-quick' (GPU_QUICK=1: the quick CPU parts and the GPU sweeps, for a short GPU lease) or
    'smoke' (a test's: the smallest sizes, a few repeats)."""

    def __init__(self, mode='full'):
        if mode not in ('full', 'quick', 'gpu-quick', 'smoke'):
            raise ValueError(f'unknown bench mode {mode!r}')
        self.mode = mode
        import minitorch as mt
        self.gpu = mt.cuda.is_available() and mode != 'smoke'

    def pick(self, full, quick, smoke=None):
        """The value for this mode (smoke falls back to quick)."""
        if self.mode == 'full':
            return full
        if self.mode == 'smoke' and smoke is not None:
            return smoke
        return quick


def run_alone(suite):
    """A script run by itself (`python bench/<script>.py [quick|smoke]`): its section printed."""
    suite(Config(sys.argv[1] if len(sys.argv) > 1 else 'full')).print()


class Table:
    def __init__(self, title, headers, rows, note=''):
        self.title, self.headers, self.rows, self.note = title, headers, rows, note

    def markdown(self):
        lines = [f'**{self.title}**', '', '| ' + ' | '.join(self.headers) + ' |',
                 '|' + '---|' * len(self.headers)]
        lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in self.rows]
        if self.note:
            lines += ['', self.note]
        return '\n'.join(lines)

    def print(self):
        print(self.title)
        print_table(self.rows, self.headers)
        if self.note:
            print(self.note)
        print()


class Text:
    """A script's own printed output, kept as it is (a preformatted block)."""

    def __init__(self, text):
        self.text = text.rstrip()

    def markdown(self):
        return f'```text\n{self.text}\n```'

    def print(self):
        print(self.text)
        print()


class Plot:
    """draw(fig) fills a matplotlib figure; saved as <name>.png with the machine footer."""

    def __init__(self, name, draw, caption, size=(9, 4.2)):
        self.name, self.draw, self.caption, self.size = name, draw, caption, size

    def save(self, folder, machine, footer):
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        fig = plt.figure(figsize=self.size)
        self.draw(fig)
        fig.text(0.01, 0.01, footer, fontsize=6.5, color='0.35', va='bottom', ha='left',
                 wrap=True)
        fig.tight_layout(rect=(0, 0.09, 1, 1))
        path = os.path.join(folder, f'{machine}-{self.name}.png')
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return os.path.basename(path)


class Section:
    """A titled part of the results: tables and plots; `data` holds its raw numbers (saved beside
    the Markdown as JSON, for notebooks to plot)."""

    def __init__(self, title, intro, items, seconds=None, data=None):
        self.title, self.intro, self.items, self.seconds = title, intro, list(items), seconds
        self.data = data

    def print(self):
        print(f'== {self.title}')
        if self.intro:
            print(self.intro)
        print()
        for item in self.items:
            if isinstance(item, (Table, Text)):
                item.print()


def footer(fields):
    return (f"{fields['machine']}: {fields['CPU']}; {fields['device']}; BLAS {fields['BLAS']}; "
            f"{fields['threads']}; {fields['versions']}")


def write(sections, fields, folder, name, mode, started, seconds):
    """Write <folder>/<name>.md and its plots; returns the Markdown file's path."""
    os.makedirs(folder, exist_ok=True)
    machine_footer = footer(fields)
    lines = [f'# What it costs: {fields["machine"]}', '',
             f'`make bench{" QUICK=1" if mode == "quick" else " GPU_QUICK=1" if mode == "gpu-quick" else ""}`'
             f' ({mode} run, {seconds:.0f} s, started {started}). Every time is the median over '
             f'repeated runs, the candidates alternated in one process, and each ratio is to the '
             f'baseline timed in the same rounds (the row marked 1.00x).', '']
    lines += [f'- **{key}**: {value}' for key, value in fields.items()]
    lines.append('')
    for section in sections:
        lines += [f'## {section.title}', '']
        if section.intro:
            lines += [section.intro, '']
        for item in section.items:
            if isinstance(item, (Table, Text)):
                lines += [item.markdown(), '']
            else:
                png = item.save(folder, name, machine_footer)
                lines += [f'![{item.caption}]({png})', '', f'*{item.caption}*', '']
        if section.seconds is not None:
            lines += [f'<sub>section time: {section.seconds:.0f} s</sub>', '']
    path = os.path.join(folder, f'{name}.md')
    with open(path, 'w') as f:
        f.write('\n'.join(lines).rstrip() + '\n')
    return path
