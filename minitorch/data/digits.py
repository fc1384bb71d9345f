"""The 8x8 handwritten digits: 1,797 grey images (values 0..16) of the digits 0-9, about 180 each.

They are the UCI "Optical Recognition of Handwritten Digits" test set (optdigits; E. Alpaydin and
C. Kaynak, 1998), as bundled with scikit-learn (BSD-3-Clause) as sklearn.datasets.load_digits.
minitorch ships a compact copy, digits.npz (uint8 images and labels), so nothing is downloaded and
scikit-learn is not needed.  It is read with np.load(allow_pickle=False): no code runs on loading.
"""
import os

import numpy as np

from ..creation import from_numpy

PATH = os.path.join(os.path.dirname(__file__), 'digits.npz')


def load_digits(normalize=True):
    """(images, labels): images (1797, 8, 8) float32 (divided by 16 into [0, 1] when normalize,
    else the raw uint8 values 0..16) and labels (1797,) int64."""
    with np.load(PATH, allow_pickle=False) as stored:
        images, labels = stored['images'], stored['labels']
    images = images.astype(np.float32) / 16 if normalize else images.copy()
    return from_numpy(images), from_numpy(labels.astype(np.int64))


def load_digits_split(test_size=360, seed=0, normalize=True):
    """A fixed, seeded split: (x_train, y_train, x_test, y_test); by default 1,437 train / 360 test."""
    images, labels = load_digits(normalize)
    order = np.random.default_rng(seed).permutation(len(labels))
    test, train = order[:test_size], order[test_size:]
    return (from_numpy(images.numpy()[train]), from_numpy(labels.numpy()[train]),
            from_numpy(images.numpy()[test]), from_numpy(labels.numpy()[test]))
