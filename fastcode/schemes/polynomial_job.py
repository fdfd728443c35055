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
import numpy as np

from fastcode.codes.polynomial import worker_product

__all__ = ["PolynomialJob"]


class PolynomialJob:
    """Runtime protocol adapter of a polynomial-type code for C = A^T B."""

    worker_fn = staticmethod(worker_product)

    def __init__(self, code):
        self.code = code
        self.n_workers = int(code.n)
        self.recovery_threshold = int(code.recovery_threshold)

    def __repr__(self):
        return f"PolynomialJob({self.code!r})"

    def setup_tasks(self, job):
        """Per-worker coded pairs of ``job = (A, B)`` (encoded once)."""
        A, B = job
        return self.code.encode(A, B)

    def worker_load(self, i):
        """Each worker computes 1/K of the product (K = recovery threshold)."""
        return 1.0 / self.recovery_threshold

    def can_decode(self, responders):
        return len(set(responders)) >= self.recovery_threshold

    def decode(self, results, round_input=None):
        """C = A^T B from the first K responders (``results`` in arrival order)."""
        workers = list(results)[:self.recovery_threshold]
        return self.code.decode([results[w] for w in workers], np.array(workers, dtype=np.intp))
