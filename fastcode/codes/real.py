"""Real-valued MDS codes that decode accurately in float64.

An ``MDSCode`` over Reals decodes by solving with a k x k submatrix of its
generator, so its accuracy is set by the worst condition number over the
responder sets.  The systematic forms of the classical constructions are badly
conditioned over the reals (at (20, 16): Cauchy ~3e8, Chebyshev-Vandermonde
~2e11, see ``fastcode.matrices_real`` for the non-systematic generators and
their figures), while a systematic generator [I; P] with a Gaussian P, the
best of a few seeded draws, reaches 4.1e4.  ``real_mds_code`` builds that one;
it is the default real code of the coded mat-vec schemes.
"""
import functools

import numpy as np

from fastcode.codes.mds import MDSCode
from fastcode.fields import Reals
from fastcode.matrices import check_code_size
from fastcode.matrices_real import condition_numbers

__all__ = ["real_mds_code"]


@functools.lru_cache(maxsize=32)
def _best_parity(n, k, draws, seed, max_sets):
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(draws):
        G = np.vstack([np.eye(k), rng.standard_normal((n - k, k))])
        # condition_numbers takes the workers-as-columns orientation (k, n)
        worst = condition_numbers(G.T, k, max_sets=max_sets, rng=rng).worst
        if best is None or worst < best[1]:
            best = (G, worst)
    G = best[0]
    G.setflags(write=False)
    return G


def real_mds_code(n: int, k: int, draws: int = 8, seed: int = 0,
                  max_sets: int = 5000) -> MDSCode:
    """A systematic (n, k) ``MDSCode`` over Reals that is well conditioned.

    Generator [I_k; P] with P (n-k, k) i.i.d. N(0, 1): MDS with probability 1.
    Of ``draws`` seeded draws, the one with the smallest worst recovery
    condition number is kept.  Deterministic for a given (n, k, draws, seed);
    cached (building (20, 16) takes ~1.5 s: 8 x 4845 SVDs).  At (20, 16) the
    worst kappa of the default is 4.1e4 (mean 2.3e2): decoding loses about
    4-5 digits in the worst case, 2-3 on average.  Sampled scoring is much
    weaker for systematic codes (their worst sets are rare): 32 draws scored on
    1000 sets gave a worst of 1.0e5.  Built as ``MDSCode(kind="custom")``.

    Parameters
    ----------
    n : int
        Shards (workers).
    k : int
        Data shards, 1 <= k <= n.
    draws : int, default 8
        Gaussian parity blocks drawn; the best is kept.
    seed : int, default 0
        Seed of the draws.
    max_sets : int, default 5000
        Responder sets scored per draw: all C(n, k) of them when that is at
        most ``max_sets``, else ``max_sets`` sampled sets.

    Returns
    -------
    MDSCode
        Over ``fastcode.fields.Reals`` (float64 shards), ``kind="custom"``;
        its ``conditioning`` attribute reports the worst condition number.

    Raises
    ------
    InvalidArgumentError
        n or k not ints, or not 1 <= k <= n.

    Examples
    --------
    >>> from fastcode.codes import real_mds_code
    >>> code = real_mds_code(6, 4)
    >>> code
    MDSCode(n=6, k=4, field=Reals, kind='custom')
    >>> code.conditioning.worst < 1e3                 # over all 15 responder sets
    True
    >>> rng = np.random.default_rng(0)
    >>> data = rng.standard_normal((4, 5))
    >>> stripe = np.vstack([data, code.encode(data)])
    >>> indices = [5, 1, 4, 2]
    >>> np.allclose(code.decode(stripe[indices], indices), data)
    True
    """
    check_code_size(n, k, Reals)
    if n == k:
        return MDSCode(n, k, Reals, kind="custom", G=np.eye(k), check=False)
    G = _best_parity(int(n), int(k), int(draws), int(seed), int(max_sets))
    return MDSCode(n, k, Reals, kind="custom", G=G, check=False)
