"""The 8x8 digits: an MLP and a small CNN.  A training step timed in minitorch eager, minitorch
static and PyTorch; and (full runs) each model trained to its test accuracy.

Data: the 1,797 digits bundled in minitorch.data, a fixed seeded split of 1,437 train / 360 test
images (load_digits_split(seed=0)).  Both models train with AdamW (lr 2e-3, weight decay 1e-4) and
mini-batches of 32, from mt.manual_seed(0); BLAS is pinned to one thread (threadpoolctl), so the time
is one core's.  The step timing repeats one batch's step (forward, backward, AdamW) `STEPS` times
per run, the implementations alternated; the accuracy run adds a cosine learning-rate schedule over
30 epochs.  `python bench/digits.py [quick]`.
"""
import time

import minitorch as mt
from minitorch import nn, optim
from minitorch.data import DataLoader, TensorDataset, load_digits_split
from _report import Plot, Section, Table, run_alone
from _timing import alternate_median, one_blas_thread, torch_or_none

BATCH = 32


def mlp(nn_=nn):
    return nn_.Sequential(nn_.Flatten(), nn_.Linear(64, 256), nn_.ReLU(), nn_.Linear(256, 10))


def cnn(nn_=nn):
    return nn_.Sequential(nn_.Conv2d(1, 32, 3, padding=1), nn_.ReLU(), nn_.MaxPool2d(2),     # 32x4x4
                          nn_.Conv2d(32, 64, 3, padding=1), nn_.ReLU(), nn_.MaxPool2d(2),    # 64x2x2
                          nn_.Flatten(), nn_.Linear(256, 10))


MODELS = {'MLP 64-256-10': mlp, 'CNN 2 conv + linear': cnn}


# --- one training step, three ways ------------------------------------------------------------
def one_batch():
    """A batch of 32 digits and their one-hot targets: the step's cross-entropy is written as
    -(log_softmax(logits) * one_hot).sum() / batch in all three implementations, the same work
    for each, and traceable (the label-indexed form reads its labels' range while being built)."""
    x_train, y_train, _, _ = load_digits_split(seed=0)
    return x_train[:BATCH].unsqueeze(1), mt.eye(10)[y_train[:BATCH]]


def cross_entropy(functional, logits, one_hot):
    return -(functional.log_softmax(logits, 1) * one_hot).sum() / logits.shape[0]


def minitorch_steps(make, steps, traced):
    mt.manual_seed(0)
    xb, yb = one_batch()
    model = make()
    opt = optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)

    def step(xb, yb):
        opt.zero_grad()
        loss = cross_entropy(nn.functional, model(xb), yb)
        loss.backward()
        opt.step()
        return loss
    if traced:
        step = mt.static.function(step)

    def run():
        for _ in range(steps):
            loss = step(xb, yb)
        return loss.item()
    return run


def torch_steps(torch, make, steps):
    torch.manual_seed(0)
    xb, yb = one_batch()
    xb, yb = torch.from_numpy(xb.numpy()), torch.from_numpy(yb.numpy())
    model = make(torch.nn)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)

    def run():
        for _ in range(steps):
            opt.zero_grad()
            loss = cross_entropy(torch.nn.functional, model(xb), yb)
            loss.backward()
            opt.step()
        return loss.item()
    return run


def step_table(config, torch):
    steps, repeats = config.pick(30, 10, 2), config.pick(11, 5, 1)
    rows, times = [], {}
    for name, make in MODELS.items():
        runs = {'minitorch eager': minitorch_steps(make, steps, False),
                'minitorch static': minitorch_steps(make, steps, True)}
        if torch is not None:
            runs['PyTorch eager'] = torch_steps(torch, make, steps)
        times[name] = alternate_median(runs, repeats)
        base = times[name]['minitorch eager']
        rows += [[name, impl, f'{t / steps * 1e3:.3f} ms', f'{t / base:.2f}x']
                 for impl, t in times[name].items()]
    return times, Table(f'One training step on a batch of {BATCH} (forward, backward, AdamW); '
                        f'median of {repeats} alternated runs of {steps} steps',
                        ['model', 'implementation', 'per step', 'vs minitorch eager'], rows)


# --- trained to accuracy ----------------------------------------------------------------------
def train(make, epochs, seed):
    mt.manual_seed(seed)
    x_train, y_train, x_test, y_test = load_digits_split(seed=0)
    x_train, x_test = x_train.unsqueeze(1), x_test.unsqueeze(1)       # (N, 1, 8, 8)
    model = make()
    opt = optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=BATCH, shuffle=True)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            loss = nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        schedule.step()
    seconds = time.perf_counter() - start
    model.eval()
    with mt.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    n_params = sum(p.numel() for p in model.parameters())
    return n_params, seconds, accuracy


def accuracy_table(seeds=1, epochs=30):
    rows = []
    for name, make in MODELS.items():
        for seed in range(seeds):
            n_params, seconds, accuracy = train(make, epochs, seed)
            rows.append([name, seed, n_params, epochs, f'{seconds:.1f} s', f'{accuracy:.2%}'])
    return Table('Trained on 1,437 digits (cosine schedule), tested on 360; eager minitorch',
                 ['model', 'seed', 'params', 'epochs', 'train time', 'test accuracy'], rows,
                 'Training time is one run, not a median: it is here to go with the accuracy.')


def suite(config):
    torch = torch_or_none()
    with one_blas_thread():
        times, steps = step_table(config, torch)
        items = [steps]
        if config.mode == 'full':
            items.append(accuracy_table())
    items.append(Plot('digits', lambda fig: draw(fig, times),
                      'Digits: a training step as a ratio to minitorch eager'))
    return Section('Digits MLP and CNN', 'Small models on a small batch: how much of a step is the '
                   'framework\'s own work.', items)


def draw(fig, times):
    ax = fig.add_subplot(1, 1, 1)
    models = list(times)
    impls = list(times[models[0]])
    width = 0.8 / len(impls)
    colors = {'minitorch eager': 'tab:blue', 'minitorch static': 'tab:green',
              'PyTorch eager': 'tab:orange'}
    for i, impl in enumerate(impls):
        values = [times[m][impl] / times[m]['minitorch eager'] for m in models]
        xs = [k + (i - (len(impls) - 1) / 2) * width for k in range(len(models))]
        ax.bar(xs, values, width, label=impl, color=colors.get(impl))
        for x, v in zip(xs, values):
            ax.text(x, v, f'{v:.2f}x', ha='center', va='bottom', fontsize=8)
    ax.set_xticks(range(len(models)), models)
    ax.axhline(1.0, color='0.3', lw=0.8, ls='--')
    ax.set_ylabel('time / minitorch eager')
    ax.legend(fontsize=8)


if __name__ == '__main__':
    run_alone(suite)
