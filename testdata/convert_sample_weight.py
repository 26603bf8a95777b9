#!/usr/bin/env python3
"""Convert the book's chapter 3 sample weights to numlearn's .npz format.

Deep Learning from Scratch ships ch03/sample_weight.pkl: a pickled dict of
float32 numpy arrays W1 (784, 50), b1 (50), W2 (50, 100), b2 (100),
W3 (100, 10), b3 (10). numlearn loads .npz, not pickles (unpickling runs
code), so this script converts it once, keeping the float32 values as they
are:

    python3 testdata/convert_sample_weight.py path/to/ch03/sample_weight.pkl \
        testdata/sample_weight.npz

It needs numpy. The result is committed; the script is kept to show where
it came from.
"""
import pickle
import sys

import numpy as np


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f:
        params = pickle.load(f)
    names = ["W1", "b1", "W2", "b2", "W3", "b3"]
    arrays = {n: np.ascontiguousarray(params[n], dtype=np.float32) for n in names}
    for n in names:
        assert params[n].dtype == np.float32, (n, params[n].dtype)
    np.savez(dst, **arrays)
    for n in names:
        print(n, arrays[n].shape, arrays[n].dtype)


if __name__ == "__main__":
    main()
