"""A polynomial-coded matrix product (Yu et al.) as a runtime-protocol scheme.

``PolynomialJob(code)`` wraps a :class:`fastcode.codes.polynomial.PolynomialCode`
(or any code with ``encode(A, B)``, ``recovery_threshold`` and
``decode(results, workers)``) for ``fastcode.runtime``: the job is the fixed
pair (A, B); ``setup_tasks((A, B))`` encodes it once and ships worker j its
coded pair (Ã_j^T, B̃_j), kept on the worker for every round.  Each round every
worker recomputes its product Ã_j^T B̃_j (the round input is a dummy round
tag, ignored by ``worker_product``) and the master decodes C = A^T B from the
first ``recovery_threshold`` responders -- a real distributed run with real
stragglers, one product per round.
"""
from typing import Any, Iterable, Mapping, Tuple

import numpy as np
from numpy.typing import ArrayLike

from fastcode.codes.polynomial import worker_product

__all__ = ["PolynomialJob"]


class PolynomialJob:
    """Runtime protocol adapter of a polynomial-type code for C = A^T B.

    The worker function is :func:`fastcode.codes.polynomial.worker_product`
    (Ã_j^T B̃_j, the round input ignored).  Attributes: ``code``,
    ``n_workers`` (= ``code.n``) and ``recovery_threshold`` K (= ``code.recovery_threshold``).

    Parameters
    ----------
    code : PolynomialCode, or a code with the same interface
        Needs ``n``, ``recovery_threshold``, ``encode(A, B)`` (the n worker tasks)
        and ``decode(results, workers)``: e.g. ``PolynomialCode`` or ``MatDot``.

    Examples
    --------
    A (6, 4) and B (6, 2) over GF(65537), with k_a = k_b = 2: any K = 4 of 5
    workers give C = A^T B (4, 2), exactly.

    >>> from fastcode.codes.polynomial import PolynomialCode
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.runtime import VirtualCluster
    >>> from fastcode.schemes import PolynomialJob
    >>> F = PrimeField(65537)
    >>> rng = np.random.default_rng(0)
    >>> A, B = F.random((6, 4), rng), F.random((6, 2), rng)
    >>> job = PolynomialJob(PolynomialCode(5, 2, 2, field=F))
    >>> job.n_workers, job.recovery_threshold, job.worker_load(0)
    (5, 4, 0.25)
    >>> cluster = VirtualCluster(5)
    >>> _ = cluster.setup(job, (A, B))                 # encoded once
    >>> r = cluster.run_round(0, [1.0, 4.0, 2.0, 3.0, 0.5])   # worker 1 straggles
    >>> [w for _, w, _ in r.arrivals]
    [4, 0, 2, 3]
    >>> bool(np.array_equal(r.output, F.matmul(np.ascontiguousarray(A.T), B)))
    True
    """

    worker_fn = staticmethod(worker_product)

    def __init__(self, code: Any) -> None:
        self.code = code
        self.n_workers = int(code.n)
        self.recovery_threshold = int(code.recovery_threshold)

    def __repr__(self) -> str:
        return f"PolynomialJob({self.code!r})"

    def setup_tasks(self, job: Tuple[ArrayLike, ArrayLike]) -> list:
        """Per-worker coded pairs of ``job = (A, B)`` (encoded once).

        Parameters
        ----------
        job : tuple (A, B)
            A (s, r) and B (s, t), elements of the code's field (see the code for
            the divisibility it needs).

        Returns
        -------
        list of n_workers tasks
            ``code.encode(A, B)``: worker j's ``(left, right, field)``.

        Raises
        ------
        ShardSizeError
            A and B do not fit the code (e.g. PolynomialCode: different row counts,
            columns not divisible by k_a / k_b).
        """
        A, B = job
        return self.code.encode(A, B)

    def worker_load(self, i: int) -> float:
        """Each worker computes 1/K of the product (K = recovery threshold).

        Parameters
        ----------
        i : int
            Worker id.

        Returns
        -------
        float
            1/K, the same for every worker.
        """
        return 1.0 / self.recovery_threshold

    def can_decode(self, responders: Iterable[int]) -> bool:
        """True iff at least K distinct workers responded.

        Parameters
        ----------
        responders : iterable of int
            Worker ids.

        Returns
        -------
        bool
        """
        return len(set(responders)) >= self.recovery_threshold

    def decode(self, results: Mapping[int, np.ndarray], round_input: Any = None) -> np.ndarray:
        """C = A^T B from the first K responders (``results`` in arrival order).

        Parameters
        ----------
        results : mapping {worker id: result}
            The workers' products, in arrival order; the first K are used.
        round_input : optional
            Ignored (the runtime protocol passes the round's dummy tag).

        Returns
        -------
        array of the field's dtype
            C = A^T B, (r, t).

        Raises
        ------
        NotEnoughShardsError
            Fewer than K results.
        ShardSizeError
            The results differ in shape.
        """
        workers = list(results)[:self.recovery_threshold]
        return self.code.decode([results[w] for w in workers], np.array(workers, dtype=np.intp))
