"""Train an MLP and a small CNN on the 8x8 digits with minitorch; print a table of test accuracy and
training time.

Data: the 1,797 digits bundled in minitorch.data, a fixed seeded split of 1,437 train / 360 test
images (load_digits_split(seed=0)).  Both models train with AdamW (lr 2e-3, weight decay 1e-4), a
cosine learning-rate schedule and mini-batches of 32, from mt.manual_seed(0); BLAS is pinned to one
thread (threadpoolctl), so the time is one core's.  Pass a number of seeds (default 1) to see the
spread: `python bench/digits.py 3`.
"""
import os
import platform
import sys
import time

import minitorch as mt
from minitorch import nn, optim
from minitorch.data import DataLoader, TensorDataset, load_digits_split
from _timing import one_blas_thread, table


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 32x4x4
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 64x2x2
                         nn.Flatten(), nn.Linear(256, 10))


def train(make, epochs, seed):
    mt.manual_seed(seed)
    x_train, y_train, x_test, y_test = load_digits_split(seed=0)
    x_train, x_test = x_train.unsqueeze(1), x_test.unsqueeze(1)       # (N, 1, 8, 8)
    model = make()
    opt = optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)
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


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    print(f'8x8 digits, 1437 train / 360 test; {platform.machine()} CPU, {os.cpu_count()} cores '
          f'visible, BLAS pinned to 1 thread (threadpoolctl)')
    rows = []
    with one_blas_thread():
        for name, make, epochs in [('MLP 64-256-10', mlp, 30), ('CNN 2 conv + linear', cnn, 30)]:
            for seed in range(seeds):
                n_params, seconds, accuracy = train(make, epochs, seed)
                rows.append([name, seed, n_params, epochs, f'{seconds:.1f} s', f'{accuracy:.2%}'])
    table(rows, ['model', 'seed', 'params', 'epochs', 'train time', 'test accuracy'])


if __name__ == '__main__':
    main()
