"""Write tests/data/mds_golden.npz: data and parity of fixed MDS codes.

Run once when a NEW fixture is added; never to "fix" a failing golden test
(a failing golden test means parity changed, which breaks stored data).
The Cauchy parities were checked against ISA-L's ec_encode_data when made.
"""
import os

import numpy as np

from fastcode import MDSCode

CASES = [  # (kind, n, k, seed, block length)
    ("cauchy", 6, 3, 11, 16),
    ("vandermonde", 6, 3, 12, 16),
    ("cauchy", 14, 10, 1, 64),
    ("vandermonde", 14, 10, 2, 64),
    ("vandermonde", 20, 12, 4, 32),
    ("cauchy", 255, 223, 3, 8),
    ("vandermonde", 256, 200, 5, 4),
]


def main():
    arrays = {}
    for kind, n, k, seed, length in CASES:
        data = np.random.default_rng(seed).integers(0, 256, (k, length), dtype=np.uint8)
        key = f"{kind}_{n}_{k}"
        arrays[key + "_data"] = data
        arrays[key + "_parity"] = MDSCode(n, k, kind=kind).encode(data)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mds_golden.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
