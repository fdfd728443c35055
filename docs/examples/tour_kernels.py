"""Five-minute tour, part 1: GF(2^8) bulk kernels and a Reed-Solomon code."""
import numpy as np

from fastcode import GF256, MDSCode

# A 4 x 10 coefficient matrix times 10 data blocks of 64 KiB: 4 parity blocks.
A = GF256.random((4, 10), rng=1)             # uint8, entries in GF(2^8)
data = GF256.random((10, 1 << 16), rng=2)    # (10, 65536) uint8
parity = GF256.matmul(A, data)               # (4, 65536) uint8, SIMD kernel, GIL released

plan = GF256.plan_matmul(A)                  # keep the kernel tables for repeated calls
out = np.empty_like(parity)
plan(data, out=out)                          # writes into out, allocates nothing
assert np.array_equal(out, parity)

# Field arithmetic is element-wise on uint8 arrays.
x = np.arange(1, 256, dtype=np.uint8)
assert np.all(GF256.mul(x, GF256.inv(x)) == 1)

# An (n, k) = (14, 10) systematic Cauchy code: any 10 of the 14 shards decode.
code = MDSCode(14, 10)
shards = np.vstack([data, code.encode(data)])       # 10 data rows, then 4 parity rows
indices = [13, 1, 2, 3, 11, 5, 12, 7, 10, 9]         # rows 0, 4, 6, 8 lost; any order
decoded = code.decode(shards[indices], indices)      # rows of shards[indices] pair with indices
assert np.array_equal(decoded, data)
assert code.can_decode(indices) and not code.can_decode(indices[:9])
print("kernels and MDSCode: ok")
