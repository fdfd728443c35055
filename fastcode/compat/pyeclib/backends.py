"""The erasure-code backends behind the PyECLib driver (liberasurecode's names).

Each backend gives liberasurecode's generator matrix, payload alignment and
identity (backend id, version), and two operations on payload rows:
``encode(data, parity_out)`` and ``rebuild(present, rows, targets)`` (targets
from the first k present fragments in index order, as liberasurecode chooses
them; SingularMatrixError when those k rows are dependent, which only
``isa_l_rs_vand`` can hit).

* isa_l_rs_cauchy: ISA-L's gf_gen_cauchy1_matrix, GF(2^8) (MDSCode's cauchy).
* isa_l_rs_vand: ISA-L's gf_gen_rs_matrix, GF(2^8) (not MDS for every (k, m)).
* liberasurecode_rs_vand: liberasurecode's built-in Vandermonde code over
  GF(2^16) (polynomial 0x1100b, 16-bit little-endian words): the Vandermonde
  matrix at 0, 1, ..., n-1 made systematic, its parity columns scaled so the
  first parity row is all ones.
"""
import functools

import numpy as np

from fastcode.codes import MDSCode
from fastcode.compat.pyeclib import gf65536
from fastcode.matrices import isal_rs_vandermonde


def _version(major, minor, rev):
    return (major << 16) | (minor << 8) | rev


class _GF256Backend:
    word = 1                     # payload alignment per data fragment (bytes)

    def __init__(self, k, m):
        self.k, self.m = k, m
        self.code = self._make_code(k, m)

    def encode(self, data, parity_out):
        """parity_out (m, bs) <- parity of data (k, bs): 2-D uint8 views."""
        self.code.encode(data, out=parity_out)

    def rebuild(self, present, rows, targets):
        """Rows ``targets`` (shard indices) from the payloads ``rows`` of the
        sorted fragment indices ``present``: a (len(targets), bs) array."""
        return self.code.reconstruct(rows, present, which=targets)


class IsalRsCauchy(_GF256Backend):
    name, backend_id, version = "isa_l_rs_cauchy", 7, _version(2, 14, 1)

    @staticmethod
    def _make_code(k, m):
        return MDSCode(k + m, k)                 # = ISA-L's gf_gen_cauchy1_matrix


class IsalRsVand(_GF256Backend):
    name, backend_id, version = "isa_l_rs_vand", 4, _version(2, 13, 0)

    @staticmethod
    def _make_code(k, m):
        # not MDS for every (k, m): no MDS check; a singular choice of k
        # fragments fails at decode time, as in liberasurecode
        return MDSCode(k + m, k, kind="custom", G=isal_rs_vandermonde(k + m, k), check=False)


def liberasurecode_rs_vand_matrix(k, m):
    """liberasurecode's ``liberasurecode_rs_vand`` generator, (k+m, k) ints of GF(2^16)."""
    n = k + m
    V = np.zeros((n, k), dtype=np.int64)
    V[0, 0] = 1                                   # the point 0
    for i in range(1, n):
        V[i] = [gf65536.pow_int(i, j) for j in range(k)]
    G = gf65536.matmul(V, gf65536.inv_matrix(V[:k]))   # the unique systematic form
    if m:
        G[k:] = gf65536.mul(G[k:], gf65536.inv(G[k])[None, :])
    return G


class LiberasurecodeRsVand:
    name, backend_id, version = "liberasurecode_rs_vand", 6, _version(1, 0, 0)
    word = 2

    def __init__(self, k, m):
        self.k, self.m = k, m
        self.G = liberasurecode_rs_vand_matrix(k, m)
        self._plan = functools.lru_cache(maxsize=64)(self._matrix)

    def encode(self, data, parity_out):
        gf65536.dot_rows(self.G[self.k:], list(data), list(parity_out))

    def _matrix(self, chosen, targets):
        return gf65536.matmul(self.G[list(targets)], gf65536.inv_matrix(self.G[list(chosen)]))

    def rebuild(self, present, rows, targets):
        k = self.k
        M = self._plan(tuple(present[:k]), tuple(targets))
        out = np.empty((len(targets), len(rows[0])), dtype=np.uint8)
        gf65536.dot_rows(M, rows[:k], list(out))
        return out


BACKENDS = {cls.name: cls for cls in (IsalRsCauchy, IsalRsVand, LiberasurecodeRsVand)}
