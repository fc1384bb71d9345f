"""Datasets and DataLoader: every sample once per epoch, seeded shuffles, collation, splits, and the
built-in datasets."""
import numpy as np
import pytest

import minitorch as mt
from minitorch.data import (DataLoader, Dataset, TensorDataset, Subset, random_split, default_collate,
                            load_digits, load_digits_split, make_spirals, make_moons,
                            make_sine_sequences)
from helpers import check_on_device, host


def labelled(n=10):
    return TensorDataset(mt.arange(n).float().unsqueeze(1) * 10, mt.arange(n))


@pytest.mark.parametrize('n, batch_size, shuffle, drop_last', [
    (10, 3, False, False), (10, 3, True, False), (10, 3, True, True), (12, 4, True, True),
    (5, 8, True, False)])
def test_every_sample_once_per_epoch(n, batch_size, shuffle, drop_last):
    loader = DataLoader(labelled(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)
    for _ in range(2):
        batches = list(loader)
        assert len(batches) == len(loader)
        seen = np.concatenate([host(y) for _, y in batches])
        kept = n - n % batch_size if drop_last else n
        assert len(seen) == kept and len(set(seen.tolist())) == kept
        if not drop_last:
            assert sorted(seen.tolist()) == list(range(n))
        if not shuffle:
            assert seen.tolist() == list(range(n))
        for x, y in batches:                    # the fields stay paired
            assert (host(x)[:, 0] == host(y) * 10).all()
            assert x.shape[0] <= batch_size


def test_shuffle_is_reproducible_and_differs_between_epochs():
    def orders(seed, generator=None):
        mt.manual_seed(seed)
        loader = DataLoader(labelled(20), batch_size=20, shuffle=True, generator=generator)
        return [host(next(iter(loader))[1]).tolist() for _ in range(2)]

    first, again = orders(0), orders(0)
    assert first == again and first[0] != first[1] and orders(1) != first
    with_rng = orders(5, np.random.default_rng(3))
    assert with_rng == orders(6, np.random.default_rng(3))     # the generator decides, not the seed
    with pytest.raises(TypeError, match='numpy Generator'):
        list(DataLoader(labelled(), shuffle=True, generator=42))


class Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {'x': np.full(2, i, dtype=np.float32), 'y': i * i, 'pair': (mt.tensor(i), float(i))}


def test_collate_stacks_fields_of_any_dataset():
    batch = next(iter(DataLoader(Squares(), batch_size=3)))
    assert host(batch['x']).tolist() == [[0, 0], [1, 1], [2, 2]]
    assert host(batch['y']).tolist() == [0, 1, 4] and batch['y'].dtype is mt.int64
    assert host(batch['pair'][0]).tolist() == [0, 1, 2] and batch['pair'][1].dtype is mt.float32
    x, y = default_collate([(mt.ones(2), 1), (mt.zeros(2), 0)])
    assert x.shape == (2, 2) and host(y).tolist() == [1, 0]
    custom = DataLoader(Squares(), batch_size=2, collate_fn=lambda items: len(items))
    assert list(custom) == [2, 2, 1]
    with pytest.raises(ValueError, match='positive integer'):
        DataLoader(Squares(), batch_size=0)


def test_batched_indexing_gives_what_collating_gives():
    ds = labelled(9)
    sub = Subset(ds, [8, 1, 4, 2])
    fast = list(DataLoader(sub, batch_size=3))
    slow = list(DataLoader(sub, batch_size=3, collate_fn=default_collate))
    for (xf, yf), (xs, ys) in zip(fast, slow):
        assert mt.equal(xf, xs) and mt.equal(yf, ys)
    assert host(fast[0][1]).tolist() == [8, 1, 4]


def test_loader_keeps_the_device(device):
    ds = TensorDataset(mt.randn(6, 2, device=device), mt.arange(6, device=device))
    for x, y in DataLoader(ds, batch_size=4, shuffle=True):
        check_on_device(x, device)
        check_on_device(y, device)


def test_random_split():
    ds = labelled(10)
    a, b = random_split(ds, [7, 3], generator=np.random.default_rng(0))
    assert len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))
    c, d = random_split(ds, [0.75, 0.25], generator=np.random.default_rng(0))
    assert (len(c), len(d)) == (8, 2)
    assert a[0][1].item() == a.indices[0]
    with pytest.raises(ValueError, match='sum to 9'):
        random_split(ds, [5, 4])


def test_tensor_dataset_checks_sizes():
    with pytest.raises(ValueError, match='size mismatch'):
        TensorDataset(mt.zeros(3), mt.zeros(4))
    x, y = labelled(4)[2]
    assert x.tolist() == [20.0] and y.item() == 2


def test_digits():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype is mt.float32
    assert labels.dtype is mt.int64 and np.bincount(host(labels)).tolist() == [
        178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert host(images).min() == 0 and host(images).max() == 1
    raw, _ = load_digits(normalize=False)
    assert raw.dtype is mt.uint8 and host(raw).max() == 16
    x_train, y_train, x_test, y_test = load_digits_split()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    again = load_digits_split()
    assert mt.equal(again[3], y_test)
    train_rows = {host(x).tobytes() for x in x_train}
    assert sum(host(x).tobytes() in train_rows for x in x_test) < 5     # (a few digits repeat)


def test_generated_datasets_are_seeded():
    x, y = make_spirals(n_per_class=50, n_classes=3)
    assert x.shape == (150, 2) and np.bincount(host(y)).tolist() == [50, 50, 50]
    assert mt.equal(make_spirals(50, 3)[0], x) and not mt.equal(make_spirals(50, 3, seed=1)[0], x)
    xm, ym = make_moons(101, noise=0.0)
    assert xm.shape == (101, 2) and host(ym).sum() == 51
    inputs, targets = make_sine_sequences(8, 12)
    assert inputs.shape == (8, 12, 1)
    assert mt.equal(inputs[:, 1:], targets[:, :-1])
