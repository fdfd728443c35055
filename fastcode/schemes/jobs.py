"""Jobs: a scheme plus its data, round inputs and a reference to check against.

A :class:`Job` is what ``fastcode run SCHEME`` executes on a cluster (local or
MPI): ``fastcode.runtime.run_job`` sets the scheme up, runs rounds, checks every
decoded output against the direct computation and summarises the latencies.
Job factories have the signature ``factory(n_workers, rng, rows=..., cols=...,
**params)`` (``rng`` a seed or a Generator) and are registered by name in the
CLI (``fastcode.cli.RUN_SCHEMES``).  They live with the schemes they build; the
runtime knows a job only by its attributes.
"""
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from fastcode._util.rng import as_generator
from fastcode._util.validate import integer
from fastcode.codes.gradient import CyclicRepetition, FractionalRepetition
from fastcode.codes.polynomial import PolynomialCode
from fastcode.fields import PrimeField
from fastcode.schemes.gradient_training import GradientTraining, full_gradient
from fastcode.schemes.matvec import CodedMatVec, ReplicatedMatVec, UncodedMatVec
from fastcode.schemes.polynomial_job import PolynomialJob

__all__ = ["Job", "uncoded_matvec_job", "replicated_matvec_job", "mds_matvec_job",
           "mds_prime_matvec_job", "polynomial_job", "gradient_job"]


@dataclass
class Job:
    """A runnable job.

    Attributes:
        name: label for reports.
        scheme: a protocol scheme (see fastcode.runtime.protocol).
        data: what ``scheme.setup_tasks`` takes (e.g. the matrix A).
        make_input: rng -> round input (e.g. a fresh vector x).
        reference: round input -> the exact output, computed directly.
        rtol, atol: tolerance of the check (0 for exact fields).
    """

    name: str
    scheme: Any
    data: Any
    make_input: Callable[[np.random.Generator], Any]
    reference: Callable[[Any], Any]
    rtol: float = 1e-9
    atol: float = 1e-9

    def check(self, output, round_input):
        """True when ``output`` matches the direct computation."""
        expected = self.reference(round_input)
        if self.rtol == 0 and self.atol == 0:
            return bool(np.array_equal(output, expected))
        return bool(np.allclose(output, expected, rtol=self.rtol, atol=self.atol))


def _matvec_job(name, make_scheme, rng, rows, cols):
    A = as_generator(rng).standard_normal((rows, cols))
    return Job(name, make_scheme(A), A, make_input=lambda g: g.standard_normal(cols),
               reference=lambda x: A @ x)


def uncoded_matvec_job(n_workers, rng, rows=1024, cols=1024, **params):
    """Uncoded A @ x on n_workers row blocks (needs every worker)."""
    if params:
        raise ValueError(f"uncoded takes no parameters, got {sorted(params)}")
    return _matvec_job("uncoded", lambda A: UncodedMatVec(A, n_workers), rng, rows, cols)


def replicated_matvec_job(n_workers, rng, rows=1024, cols=1024, r=2, **params):
    """r-replicated A @ x (any one copy of each row block suffices)."""
    if params:
        raise ValueError(f"replication takes only r, got {sorted(params)}")
    return _matvec_job(f"{int(r)}-replication", lambda A: ReplicatedMatVec(A, n_workers, int(r)),
                       rng, rows, cols)


def mds_matvec_job(n_workers, rng, rows=1024, cols=1024, k=None, **params):
    """(n, k)-MDS-coded A @ x over the reals (any k workers suffice; default k = 3n/4)."""
    if params:
        raise ValueError(f"mds takes only k, got {sorted(params)}")
    k = max(1, (3 * n_workers) // 4) if k is None else int(k)
    return _matvec_job(f"MDS ({n_workers},{k})", lambda A: CodedMatVec(A, n_workers, k),
                       rng, rows, cols)



def _no_extra(name, params):
    if params:
        raise ValueError(f"{name}: unknown parameters {sorted(params)}")


def mds_prime_matvec_job(n_workers, rng, rows=1024, cols=1024, k=None, p=65537, **params):
    """(n, k)-MDS-coded A @ x over GF(p) (default p = 65537, k = 3n/4): A (rows, cols)
    and every x uniform field elements; checked exactly against field.matmul."""
    _no_extra("mds-prime takes only k and p", params)
    field = PrimeField(integer(p, "p", 1))       # FieldValueError (a ValueError) if not prime
    k = max(1, (3 * n_workers) // 4) if k is None else integer(k, "k", 1)
    if k > n_workers:
        raise ValueError(f"mds-prime needs k <= n, got k={k}, n={n_workers}")
    A = field.random((rows, cols), as_generator(rng))
    return Job(f"MDS ({n_workers},{k}) over GF({field.p})", CodedMatVec(A, n_workers, k, field=field),
               A, make_input=lambda g: field.random(cols, g),
               reference=lambda x: field.matmul(A, x), rtol=0, atol=0)


def polynomial_job(n_workers, rng, rows=1024, cols=1024, k_a=None, k_b=None, p=65537, **params):
    """Polynomial code (Yu et al.) for C = A^T B over GF(p), threshold K = k_a k_b.

    A (rows, cols_a) and B (rows, cols_b) uniform over GF(p): ``rows`` is the shared
    inner dimension, ``cols`` rounded down to a multiple of k_a (of k_b) the columns
    of A (of B), so C is about cols x cols.  Default k_a, k_b: the largest powers of
    two with k_a k_b <= 3n/4 (k_a >= k_b).  The pair is encoded once; every round
    recomputes the product (the round input is a dummy tag) and is checked exactly
    against field.matmul(A.T, B)."""
    _no_extra("polynomial takes only k_a, k_b and p", params)
    field = PrimeField(integer(p, "p", 1))
    if k_a is None and k_b is None:
        K = 1 << (max(1, (3 * n_workers) // 4).bit_length() - 1)
        k_b = 1 << ((K.bit_length() - 1) // 2)
        k_a = K // k_b
    k_a = integer(1 if k_a is None else k_a, "k_a", 1)
    k_b = integer(1 if k_b is None else k_b, "k_b", 1)
    if k_a * k_b > n_workers:
        raise ValueError(f"polynomial needs k_a * k_b <= n, got {k_a} * {k_b} > {n_workers}")
    ca, cb = cols - cols % k_a, cols - cols % k_b
    if rows < 1 or ca < 1 or cb < 1:
        raise ValueError(f"polynomial needs rows >= 1 and cols >= max(k_a, k_b), got "
                         f"rows={rows}, cols={cols}")
    g = as_generator(rng)
    A, B = field.random((rows, ca), g), field.random((rows, cb), g)
    C = field.matmul(np.ascontiguousarray(A.T), B)
    code = PolynomialCode(n_workers, k_a, k_b, field=field)
    return Job(f"polynomial ({n_workers}, {k_a}x{k_b}) over GF({field.p})", PolynomialJob(code),
               (A, B), make_input=lambda g: g.integers(0, 2**31, size=1),
               reference=lambda _tag: C, rtol=0, atol=0)


def gradient_job(n_workers, rng, rows=1024, cols=1024, code="crc", s=1, lr=0.5, **params):
    """Gradient-coded logistic regression: ``rows`` samples, ``cols`` features.

    Synthetic data from ``rng`` (X Gaussian, labels from a random true model);
    ``code`` "crc" (CyclicRepetition, default) or "frc" (FractionalRepetition,
    needs (s + 1) | n), over Reals, tolerating ``s`` stragglers (default 1).
    Each round's input is the current theta; the decoded gradient is checked
    (rtol 1e-9) against the directly computed full gradient.  Training: the
    job's make_input returns theta_t and then advances its own closure state by
    one gradient step theta_{t+1} = theta_t - lr * grad(theta_t) computed
    directly (run_job does not feed decoded outputs back; since every decoded
    gradient is checked against that very gradient, the trajectory is the one
    the coded run follows)."""
    _no_extra("gradient takes only code, s and lr", params)
    if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not 0 <= s < n_workers:
        raise ValueError(f"gradient needs 0 <= s < n, got s={s!r}, n={n_workers}")
    s = int(s)
    if code == "crc":
        gcode = CyclicRepetition(n_workers, s, rng=0)
    elif code == "frc":
        if n_workers % (s + 1):
            raise ValueError(f"frc needs (s + 1) to divide n, got s={s}, n={n_workers}")
        gcode = FractionalRepetition(n_workers, s)
    else:
        raise ValueError(f"gradient code must be 'crc' or 'frc', got {code!r}")
    if rows < gcode.N or cols < 1:
        raise ValueError(f"gradient needs rows >= {gcode.N} (one sample per part) and cols >= 1, "
                         f"got rows={rows}, cols={cols}")
    g = as_generator(rng)
    X = g.standard_normal((rows, cols)) / np.sqrt(cols)
    y = (g.random(rows) < 1 / (1 + np.exp(-X @ g.standard_normal(cols) * 3))).astype(np.float64)
    scheme = GradientTraining(gcode, X, y)
    state = {"theta": np.zeros(cols)}

    def next_theta(_g):
        theta = state["theta"]
        state["theta"] = theta - float(lr) * full_gradient(X, y, theta)   # a new array
        return theta.copy()

    return Job(f"gradient {code} (n={n_workers}, s={s})", scheme, None, make_input=next_theta,
               reference=lambda theta: full_gradient(X, y, theta), rtol=1e-9, atol=1e-12)
