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
from dataclasses import field as dataclass_field
from typing import Any, Callable, List, Optional, Tuple, Union

import numpy as np

from fastcode._util.rng import as_generator
from fastcode._util.validate import integer
from fastcode.codes.gradient import CyclicRepetition, FractionalRepetition, GradientCode
from fastcode.codes.polynomial import PolynomialCode
from fastcode.fields import PrimeField
from fastcode.schemes.gradient_training import GradientTraining, full_gradient
from fastcode.schemes.lagrange import (DEFAULT_PRIME, LagrangeCoded, gram, recovery_threshold,
                                       regression_gradient)
from fastcode.schemes.matvec import CodedMatVec, ReplicatedMatVec, UncodedMatVec
from fastcode.schemes.polynomial_job import PolynomialJob

__all__ = ["Job", "uncoded_matvec_job", "replicated_matvec_job", "mds_matvec_job",
           "mds_prime_matvec_job", "polynomial_job", "gradient_job", "LagrangeJob",
           "lagrange_gram_job", "lagrange_regression_job"]


@dataclass
class Job:
    """A runnable job.

    What ``fastcode.runtime.run_job`` runs: ``cluster.setup(job.scheme,
    job.data)``, then every round ``x = job.make_input(rng)`` and
    ``job.check(output, x)`` on the decoded output.

    Attributes
    ----------
    name : str
        Label for reports.
    scheme : object
        A protocol scheme (see fastcode.runtime.protocol).
    data : object
        What ``scheme.setup_tasks`` takes (e.g. the matrix A).
    make_input : callable
        rng (a numpy Generator) -> round input (e.g. a fresh vector x).
    reference : callable
        Round input -> the exact output, computed directly.
    rtol, atol : float
        Tolerance of the check (default 1e-9 each; 0 for exact fields: then the
        output must be equal).

    Examples
    --------
    >>> from fastcode.schemes import CodedMatVec
    >>> from fastcode.schemes.jobs import Job
    >>> A = np.arange(12.0).reshape(4, 3)
    >>> job = Job("A x", CodedMatVec(A, 3, 2), A, make_input=lambda g: g.standard_normal(3),
    ...           reference=lambda x: A @ x)
    >>> x = job.make_input(np.random.default_rng(0))
    >>> s = job.scheme
    >>> job.check(s.decode({i: s.compute(i, x) for i in (2, 1)}), x)
    True
    >>> job.check(np.zeros(4), x)
    False
    """

    name: str
    scheme: Any
    data: Any
    make_input: Callable[[np.random.Generator], Any]
    reference: Callable[[Any], Any]
    rtol: float = 1e-9
    atol: float = 1e-9

    def check(self, output: Any, round_input: Any) -> bool:
        """True when ``output`` matches the direct computation.

        Parameters
        ----------
        output : array_like
            The decoded output of a round.
        round_input : object
            That round's input.

        Returns
        -------
        bool
            ``output`` equals ``reference(round_input)`` (rtol = atol = 0) or is
            close to it (``np.allclose`` with rtol, atol).
        """
        expected = self.reference(round_input)
        if self.rtol == 0 and self.atol == 0:
            return bool(np.array_equal(output, expected))
        return bool(np.allclose(output, expected, rtol=self.rtol, atol=self.atol))


def _matvec_job(name: str, make_scheme: Callable[[np.ndarray], Any],
                rng: Optional[Union[int, np.random.Generator]], rows: int, cols: int) -> Job:
    A = as_generator(rng).standard_normal((rows, cols))
    return Job(name, make_scheme(A), A, make_input=lambda g: g.standard_normal(cols),
               reference=lambda x: A @ x)


def uncoded_matvec_job(n_workers: int, rng: Optional[Union[int, np.random.Generator]],
                       rows: int = 1024, cols: int = 1024, **params: Any) -> Job:
    """Uncoded A @ x on n_workers row blocks (needs every worker).

    A (rows, cols) standard normal from ``rng``; every round a fresh standard
    normal x; checked against A @ x (rtol 1e-9).

    Parameters
    ----------
    n_workers : int
        Workers (and row blocks).
    rng : int or numpy.random.Generator
        Seed or Generator of A.
    rows, cols : int, optional
        Shape of A (default 1024 x 1024).
    **params
        None accepted.

    Returns
    -------
    Job
        Scheme :class:`~fastcode.schemes.matvec.UncodedMatVec`, data A.

    Raises
    ------
    ValueError
        Any keyword parameter.
    InvalidArgumentError
        ``n_workers`` is not an int >= 1.

    Examples
    --------
    >>> from fastcode.schemes.jobs import uncoded_matvec_job
    >>> job = uncoded_matvec_job(3, rng=0, rows=6, cols=4)
    >>> job.name
    'uncoded'
    >>> from fastcode.runtime import VirtualCluster
    >>> cluster = VirtualCluster(3)
    >>> _ = cluster.setup(job.scheme, job.data)
    >>> x = job.make_input(np.random.default_rng(1))
    >>> r = cluster.run_round(x, [1.0, 2.0, 3.0])
    >>> job.check(r.output, x)
    True
    """
    if params:
        raise ValueError(f"uncoded takes no parameters, got {sorted(params)}")
    return _matvec_job("uncoded", lambda A: UncodedMatVec(A, n_workers), rng, rows, cols)


def replicated_matvec_job(n_workers: int, rng: Optional[Union[int, np.random.Generator]],
                          rows: int = 1024, cols: int = 1024, r: int = 2, **params: Any) -> Job:
    """r-replicated A @ x (any one copy of each row block suffices).

    A (rows, cols) standard normal from ``rng``; every round a fresh standard
    normal x; checked against A @ x (rtol 1e-9).

    Parameters
    ----------
    n_workers : int
        Workers.
    rng : int or numpy.random.Generator
        Seed or Generator of A.
    rows, cols : int, optional
        Shape of A (default 1024 x 1024).
    r : int, optional
        Replication factor, dividing n_workers (default 2).
    **params
        None other accepted.

    Returns
    -------
    Job
        Scheme :class:`~fastcode.schemes.matvec.ReplicatedMatVec`, data A.

    Raises
    ------
    ValueError
        A keyword parameter other than ``r``.
    InvalidArgumentError
        ``r`` does not divide ``n_workers``.

    Examples
    --------
    >>> from fastcode.schemes.jobs import replicated_matvec_job
    >>> job = replicated_matvec_job(4, rng=0, rows=6, cols=4)
    >>> job.name
    '2-replication'
    >>> from fastcode.runtime import VirtualCluster
    >>> cluster = VirtualCluster(4)
    >>> _ = cluster.setup(job.scheme, job.data)
    >>> x = job.make_input(np.random.default_rng(1))
    >>> r = cluster.run_round(x, [1.0, 9.0, 9.0, 2.0])
    >>> job.check(r.output, x)
    True
    """
    if params:
        raise ValueError(f"replication takes only r, got {sorted(params)}")
    return _matvec_job(f"{int(r)}-replication", lambda A: ReplicatedMatVec(A, n_workers, int(r)),
                       rng, rows, cols)


def mds_matvec_job(n_workers: int, rng: Optional[Union[int, np.random.Generator]],
                   rows: int = 1024, cols: int = 1024, k: Optional[int] = None,
                   **params: Any) -> Job:
    """(n, k)-MDS-coded A @ x over the reals (any k workers suffice; default k = 3n/4).

    A (rows, cols) standard normal from ``rng``; every round a fresh standard
    normal x; checked against A @ x (rtol 1e-9).

    Parameters
    ----------
    n_workers : int
        Workers, n.
    rng : int or numpy.random.Generator
        Seed or Generator of A.
    rows, cols : int, optional
        Shape of A (default 1024 x 1024).
    k : int, optional
        Recovery threshold (default max(1, 3n // 4)).
    **params
        None other accepted.

    Returns
    -------
    Job
        Scheme :class:`~fastcode.schemes.matvec.CodedMatVec` (the Reals default
        code), data A.

    Raises
    ------
    ValueError
        A keyword parameter other than ``k``.
    InvalidArgumentError
        ``k`` is not in ``[1, n]``.

    Examples
    --------
    >>> from fastcode.schemes.jobs import mds_matvec_job
    >>> job = mds_matvec_job(4, rng=0, rows=6, cols=4)
    >>> job.name
    'MDS (4,3)'
    >>> from fastcode.runtime import VirtualCluster
    >>> cluster = VirtualCluster(4)
    >>> _ = cluster.setup(job.scheme, job.data)
    >>> x = job.make_input(np.random.default_rng(1))
    >>> r = cluster.run_round(x, [1.0, 9.0, 3.0, 2.0])
    >>> job.check(r.output, x)
    True
    """
    if params:
        raise ValueError(f"mds takes only k, got {sorted(params)}")
    k = max(1, (3 * n_workers) // 4) if k is None else int(k)
    return _matvec_job(f"MDS ({n_workers},{k})", lambda A: CodedMatVec(A, n_workers, k),
                       rng, rows, cols)



def _no_extra(name: str, params: dict) -> None:
    if params:
        raise ValueError(f"{name}: unknown parameters {sorted(params)}")


def mds_prime_matvec_job(n_workers: int, rng: Optional[Union[int, np.random.Generator]],
                         rows: int = 1024, cols: int = 1024, k: Optional[int] = None,
                         p: int = 65537, **params: Any) -> Job:
    """(n, k)-MDS-coded A @ x over GF(p) (default p = 65537, k = 3n/4): A (rows, cols)
    and every x uniform field elements; checked exactly against field.matmul.

    Parameters
    ----------
    n_workers : int
        Workers, n.
    rng : int or numpy.random.Generator
        Seed or Generator of A.
    rows, cols : int, optional
        Shape of A (default 1024 x 1024).
    k : int, optional
        Recovery threshold (default max(1, 3n // 4)).
    p : int, optional
        The prime (default 65537).
    **params
        None other accepted.

    Returns
    -------
    Job
        Scheme :class:`~fastcode.schemes.matvec.CodedMatVec` over PrimeField(p)
        (Cauchy code), data A (uint32), rtol = atol = 0.

    Raises
    ------
    ValueError
        A keyword parameter other than ``k`` and ``p``, or ``k > n``.
    FieldValueError
        ``p`` is not a prime in (2, 2^31) (a ValueError).
    InvalidArgumentError
        ``k`` or ``p`` is not an int, ``k < 1``, or n exceeds the field's size.

    Examples
    --------
    >>> from fastcode.schemes.jobs import mds_prime_matvec_job
    >>> job = mds_prime_matvec_job(4, rng=0, rows=6, cols=4, p=257)
    >>> job.name
    'MDS (4,3) over GF(257)'
    >>> from fastcode.runtime import VirtualCluster
    >>> cluster = VirtualCluster(4)
    >>> _ = cluster.setup(job.scheme, job.data)
    >>> x = job.make_input(np.random.default_rng(1))
    >>> r = cluster.run_round(x, [1.0, 9.0, 3.0, 2.0])
    >>> job.check(r.output, x)
    True
    """
    _no_extra("mds-prime takes only k and p", params)
    field = PrimeField(integer(p, "p", 1))       # FieldValueError (a ValueError) if not prime
    k = max(1, (3 * n_workers) // 4) if k is None else integer(k, "k", 1)
    if k > n_workers:
        raise ValueError(f"mds-prime needs k <= n, got k={k}, n={n_workers}")
    A = field.random((rows, cols), as_generator(rng))
    return Job(f"MDS ({n_workers},{k}) over GF({field.p})", CodedMatVec(A, n_workers, k, field=field),
               A, make_input=lambda g: field.random(cols, g),
               reference=lambda x: field.matmul(A, x), rtol=0, atol=0)


def polynomial_job(n_workers: int, rng: Optional[Union[int, np.random.Generator]],
                   rows: int = 1024, cols: int = 1024, k_a: Optional[int] = None,
                   k_b: Optional[int] = None, p: int = 65537, **params: Any) -> Job:
    """Polynomial code (Yu et al.) for C = A^T B over GF(p), threshold K = k_a k_b.

    A (rows, cols_a) and B (rows, cols_b) uniform over GF(p): ``rows`` is the shared
    inner dimension, ``cols`` rounded down to a multiple of k_a (of k_b) the columns
    of A (of B), so C is about cols x cols.  Default k_a, k_b: the largest powers of
    two with k_a k_b <= 3n/4 (k_a >= k_b).  The pair is encoded once; every round
    recomputes the product (the round input is a dummy tag) and is checked exactly
    against field.matmul(A.T, B).

    Parameters
    ----------
    n_workers : int
        Workers, n.
    rng : int or numpy.random.Generator
        Seed or Generator of A and B.
    rows, cols : int, optional
        The inner dimension and (about) the columns of A and B (default 1024 each).
    k_a, k_b : int, optional
        Column blocks of A and of B (a missing one defaults to 1 when the other
        is given).
    p : int, optional
        The prime (default 65537).
    **params
        None other accepted.

    Returns
    -------
    Job
        Scheme :class:`~fastcode.schemes.polynomial_job.PolynomialJob` of a
        ``PolynomialCode``, data (A, B), rtol = atol = 0.

    Raises
    ------
    ValueError
        A keyword parameter other than ``k_a``, ``k_b`` and ``p``; ``k_a k_b > n``;
        ``rows < 1`` or ``cols < max(k_a, k_b)``.
    FieldValueError
        ``p`` is not a prime in (2, 2^31) (a ValueError).
    InvalidArgumentError
        ``k_a``, ``k_b`` or ``p`` is not an int >= 1.

    Examples
    --------
    >>> from fastcode.schemes.jobs import polynomial_job
    >>> job = polynomial_job(5, rng=0, rows=4, cols=4)     # K = 2: any 2 of 5 workers
    >>> job.name
    'polynomial (5, 2x1) over GF(65537)'
    >>> from fastcode.runtime import VirtualCluster
    >>> cluster = VirtualCluster(5)
    >>> _ = cluster.setup(job.scheme, job.data)
    >>> x = job.make_input(np.random.default_rng(1))
    >>> r = cluster.run_round(x, [1.0, 9.0, 3.0, 2.0, 5.0])
    >>> job.check(r.output, x)
    True
    """
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


def gradient_job(n_workers: int, rng: Optional[Union[int, np.random.Generator]],
                 rows: int = 1024, cols: int = 1024, code: str = "crc", s: int = 1,
                 lr: float = 0.5, **params: Any) -> Job:
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
    the coded run follows).

    Parameters
    ----------
    n_workers : int
        Workers, n.
    rng : int or numpy.random.Generator
        Seed or Generator of the data.
    rows, cols : int, optional
        Samples (at least one per data part) and features (default 1024 each).
    code : {"crc", "frc"}, optional
        The gradient code (default "crc").
    s : int, optional
        Stragglers tolerated, ``0 <= s < n`` (default 1).
    lr : float, optional
        Learning rate of the trajectory (default 0.5).
    **params
        None other accepted.

    Returns
    -------
    Job
        Scheme :class:`~fastcode.schemes.gradient_training.GradientTraining`,
        data None (bound to the scheme).

    Raises
    ------
    ValueError
        An unknown keyword parameter, ``s`` out of range, an unknown ``code``,
        "frc" with (s + 1) not dividing n, or too few rows or columns.

    Examples
    --------
    >>> from fastcode.schemes.jobs import gradient_job
    >>> job = gradient_job(4, rng=0, rows=40, cols=3)
    >>> job.name
    'gradient crc (n=4, s=1)'
    >>> from fastcode.runtime import VirtualCluster
    >>> cluster = VirtualCluster(4)
    >>> _ = cluster.setup(job.scheme, job.data)
    >>> x = job.make_input(np.random.default_rng(1))
    >>> r = cluster.run_round(x, [1.0, 9.0, 3.0, 2.0])
    >>> job.check(r.output, x)
    True
    """
    _no_extra("gradient takes only code, s and lr", params)
    if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not 0 <= s < n_workers:
        raise ValueError(f"gradient needs 0 <= s < n, got s={s!r}, n={n_workers}")
    s = int(s)
    gcode: GradientCode
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


# ---- Lagrange coded computing ---------------------------------------------------------------------

@dataclass
class LagrangeJob(Job):
    """A Job of a ``LagrangeCoded`` scheme, whose decoded output is a ``LagrangeDecoded``.

    ``finish(values)`` turns the K decoded values f(X_1..K) into the job's answer (None:
    the values themselves), compared exactly with ``reference(round_input)``.  The check
    also requires the located adversaries to be exactly the Byzantine workers among the
    responders.  ``located`` collects the adversaries located in every checked round.

    Attributes
    ----------
    name, scheme, data, make_input, reference, rtol, atol
        As for :class:`Job`; ``scheme`` is a ``LagrangeCoded``.
    finish : callable, optional
        The K decoded values (K, ...) uint32 -> the job's answer (None: the values
        themselves).
    located : list of tuple of int
        The adversaries located in every checked round (a new list when None).

    Examples
    --------
    X_j^T X_j of the row blocks of X on 6 workers, one of them Byzantine:

    >>> from fastcode.runtime import VirtualCluster
    >>> from fastcode.schemes.jobs import lagrange_gram_job
    >>> job = lagrange_gram_job(6, rng=0, rows=8, cols=2, byzantine=1)
    >>> job.scheme
    LagrangeCoded(f_degree=2, K=2, T=0, A=1, S=1, field=PrimeField(2147483647))
    >>> sorted(job.scheme.byzantine)
    [5]
    >>> cluster = VirtualCluster(6)
    >>> _ = cluster.setup(job.scheme, job.data)
    >>> tag = job.make_input(np.random.default_rng(1))
    >>> r = cluster.run_round(tag, [1.0, 2.0, 9.0, 3.0, 4.0, 0.5])   # the liar answers first
    >>> r.output.adversaries, job.check(r.output, tag), job.located
    ((5,), True, [(5,)])
    """

    finish: Optional[Callable[[np.ndarray], Any]] = None
    located: List[Tuple[int, ...]] = dataclass_field(default_factory=list)

    def __post_init__(self) -> None:
        if self.located is None:
            self.located = []

    def check(self, output: Any, round_input: Any) -> bool:
        """True when the answer is exact and the adversaries found are the Byzantine
        responders (no more, no fewer).

        Appends ``output.adversaries`` to ``located``.

        Parameters
        ----------
        output : LagrangeDecoded
            The decoded output of a round.
        round_input : object
            That round's input.

        Returns
        -------
        bool
        """
        self.located.append(output.adversaries)
        answer = output.values if self.finish is None else self.finish(output.values)
        expected = self.reference(round_input)
        exact = np.array_equal(answer, expected)
        byzantine = set(self.scheme.byzantine) & set(output.responders)
        return bool(exact and set(output.adversaries) == byzantine)


def _lagrange_scheme(n_workers: int, g: np.random.Generator, f: Callable[..., Any],
                     f_degree: int, byzantine: int, private: int, K: Optional[int], p: int,
                     name: str) -> LagrangeCoded:
    """The LagrangeCoded scheme of a Lagrange job on n_workers: A = byzantine adversaries
    (that many workers, drawn with ``g``, return random garbage), T = private colluders,
    K blocks (default: the largest K leaving a straggler to spare, else none), S the rest."""
    A = integer(byzantine, "byzantine", 0)
    T = integer(private, "private", 0)
    field = PrimeField(integer(p, "p", 1))
    if K is None:
        fits = [K for K in range(1, n_workers + 1)
                if recovery_threshold(f_degree, K, T, A) + 1 <= n_workers]
        K = max(fits) if fits else 1
    K = integer(K, "K", 1)
    threshold = recovery_threshold(f_degree, K, T, A)
    if threshold > n_workers:
        raise ValueError(f"{name} with K={K}, private={T}, byzantine={A} needs at least "
                         f"(K + T - 1) * {f_degree} + 2A + 1 = {threshold} workers, got {n_workers}")
    bad = g.choice(n_workers, size=A, replace=False) if A else ()
    # the padding comes from os.urandom, not from the job's seed: a seeded padding would be
    # known to anyone who knows the seed (the decoded values do not depend on it)
    return LagrangeCoded(f_degree, K, T, A, n_workers - threshold, field, f=f,
                         byzantine=sorted(int(i) for i in bad))


def _row_blocks(M: np.ndarray, K: int, field: PrimeField) -> np.ndarray:
    """M (rows, c) as K blocks (K, ceil(rows / K), c), the last ones padded with zero rows."""
    b = -(-M.shape[0] // K)
    out = field.zeros((K * b, M.shape[1]))
    out[:M.shape[0]] = M
    return out.reshape(K, b, M.shape[1])


def _lagrange_label(kind: str, scheme: LagrangeCoded) -> str:
    return (f"lagrange {kind} (n={scheme.n}, K={scheme.K}, T={scheme.T}, A={scheme.A}, "
            f"S={scheme.S}) over GF({scheme.field.p})")


def lagrange_gram_job(n_workers: int, rng: Optional[Union[int, np.random.Generator]],
                      rows: int = 1024, cols: int = 1024, byzantine: int = 0, private: int = 0,
                      K: Optional[int] = None, p: int = DEFAULT_PRIME, **params: Any) -> "LagrangeJob":
    """Coded polynomial evaluation by Lagrange coded computing: the quadratic forms
    f(X_j) = X_j^T X_j (degree 2) of the K row blocks of X (rows, cols), uniform over GF(p)
    (default p = 2^31 - 1; rows padded with zero rows to a multiple of K, which leaves
    every X_j^T X_j unchanged).

    ``byzantine`` A: that many workers (chosen from ``rng``) return random garbage and the
    decoder tolerates A; ``private`` T: any T workers learn nothing about X.  K defaults to
    the largest that leaves one straggler to spare on n_workers (else none).  Every round
    recomputes the forms (the round input is a dummy tag); the output, the K forms, is
    checked exactly against field.matmul(X_j^T, X_j), and the located adversaries against
    the Byzantine responders (``LagrangeJob``).  The padding comes from os.urandom, not
    from ``rng`` (the decoded values do not depend on it).

    Parameters
    ----------
    n_workers : int
        Workers, N.
    rng : int or numpy.random.Generator
        Seed or Generator of X and of the Byzantine workers.
    rows, cols : int, optional
        Shape of X (default 1024 x 1024).
    byzantine : int, optional
        A, the workers returning garbage (default 0).
    private : int, optional
        T, the colluders that learn nothing (default 0).
    K : int, optional
        Data blocks (default: the largest leaving a straggler to spare).
    p : int, optional
        The prime (default 2^31 - 1).
    **params
        None other accepted.

    Returns
    -------
    LagrangeJob
        Scheme ``LagrangeCoded(2, K, T, A, S, GF(p), f=gram)`` with S the workers
        to spare, data the K blocks (K, b, cols) uint32.

    Raises
    ------
    ValueError
        An unknown keyword parameter; fewer workers than the recovery threshold
        (K + T - 1) 2 + 2A + 1; ``rows < 1`` or ``cols < 1``.
    FieldValueError
        ``p`` is not a prime in (2, 2^31) (a ValueError).
    InvalidArgumentError
        ``byzantine``, ``private``, ``K`` or ``p`` is not an int in range, or p is
        too small for the points (p < N + K + T).

    Examples
    --------
    >>> from fastcode.schemes.jobs import lagrange_gram_job
    >>> job = lagrange_gram_job(6, rng=0, rows=8, cols=2, private=1, K=1, p=65537)
    >>> job.name
    'lagrange X_j^T X_j (n=6, K=1, T=1, A=0, S=3) over GF(65537)'
    >>> from fastcode.runtime import VirtualCluster
    >>> cluster = VirtualCluster(6)
    >>> _ = cluster.setup(job.scheme, job.data)
    >>> x = job.make_input(np.random.default_rng(1))
    >>> r = cluster.run_round(x, [1.0, 2.0, 9.0, 3.0, 4.0, 0.5])
    >>> job.check(r.output, x)
    True
    """
    _no_extra("lagrange takes only byzantine, private, K and p", params)
    g = as_generator(rng)
    scheme = _lagrange_scheme(n_workers, g, gram, 2, byzantine, private, K, p, "lagrange")
    field = scheme.field
    if rows < 1 or cols < 1:
        raise ValueError(f"lagrange needs rows >= 1 and cols >= 1, got rows={rows}, cols={cols}")
    blocks = _row_blocks(field.random((rows, cols), g), scheme.K, field)
    forms = np.stack([gram(b, None, field) for b in blocks])
    return LagrangeJob(_lagrange_label("X_j^T X_j", scheme), scheme, blocks,
                       make_input=lambda g: g.integers(0, 2**31, size=1),
                       reference=lambda _tag: forms, rtol=0, atol=0)


def _power_of_two_at_least(x: float) -> int:
    """The exponent e of the smallest 2^e >= x > 0."""
    return int(np.ceil(np.log2(x)))


def regression_scales(X: np.ndarray, y: np.ndarray, w_max: float, bits: int) -> Tuple[int, int]:
    """Fixed-point exponents (ex, ew) of the regression job: X and w get ``bits`` bits
    relative to their largest magnitude (X * 2^ex, w * 2^ew, |entries| <= 2^bits), y the
    scale 2^(ex + ew) of X w; the gradient then has the scale 2^(2 ex + ew)."""
    ex = bits - _power_of_two_at_least(max(float(np.max(np.abs(X))), 2.0**-60))
    ew = bits - _power_of_two_at_least(max(float(w_max), 2.0**-60))
    return ex, ew


def regression_bound(Xq: np.ndarray, yq: np.ndarray, w_bound: int, K: int) -> int:
    """Largest |entry| that any block's X_j^T (X_j w - y_j) can reach, over the integer
    (quantised) Xq (rows, c) and yq (rows,), for every w with |w_i| <= w_bound, the row
    blocks as ``_row_blocks`` cuts them (a Python int)."""
    b = -(-Xq.shape[0] // K)
    absX, absy = np.abs(Xq).astype(object), np.abs(yq).astype(object)
    worst = 0
    for j in range(K):
        rows = slice(j * b, (j + 1) * b)
        per_row = absX[rows].sum(axis=1) * w_bound + absy[rows]
        if per_row.size:
            worst = max(worst, int(np.max(absX[rows].T.dot(per_row))))
    return worst


def lagrange_regression_job(n_workers: int, rng: Optional[Union[int, np.random.Generator]],
                            rows: int = 1024, cols: int = 1024, byzantine: int = 0,
                            private: int = 0, K: Optional[int] = None, p: int = DEFAULT_PRIME,
                            bits: Optional[int] = None, w_max: float = 1.0,
                            **params: Any) -> "LagrangeJob":
    """The linear-regression gradient X^T (X w - y) by Lagrange coded computing, in fixed
    point over GF(p) (default p = 2^31 - 1).

    Synthetic data from ``rng``: X (rows, cols) Gaussian / sqrt(cols), y = X theta + noise;
    every round a fresh w uniform in [-w_max, w_max]^cols.  Worker i evaluates
    f([X | y]) = X^T (X w - y), degree 2 in its coded block of [X | y] (K row blocks,
    padded with zero rows, which add nothing); the master decodes the K block gradients
    and adds them.  ``byzantine``, ``private`` and ``K`` as in ``lagrange_gram_job``.

    Quantisation rules (documented in the job's name too):

    * X and w get ``bits`` significant bits relative to their largest magnitude, with
      power-of-two scales: Xq = round(X 2^ex), wq = round(w 2^ew), |Xq|, |wq| <= 2^bits;
    * y takes the scale of X w: yq = round(y 2^(ex + ew)), so Xq wq - yq is exact;
    * the field holds integers in (-(p-1)/2, (p-1)/2] (negatives as p - |v|); each block
      gradient Xq_j^T (Xq_j wq - yq_j) is exact as an integer when every entry it can
      reach (``regression_bound``, the worst case over all |w| <= w_max) is within
      (p-1)/2: ``bits`` defaults to the largest value for which it is, and an explicit
      ``bits`` beyond it is refused;
    * the master adds the K block gradients as integers and divides by 2^(2 ex + ew).

    The decoded gradient is checked exactly against the same fixed-point gradient computed
    directly in integers (and the located adversaries against the Byzantine responders);
    it differs from the real-valued X^T (X w - y) by the quantisation of X, w and y only.
    The job also has ``real_gradient(wq)``, that real-valued gradient at the weights of
    the quantised round input ``wq``.

    Parameters
    ----------
    n_workers : int
        Workers, N.
    rng : int or numpy.random.Generator
        Seed or Generator of the data and of the Byzantine workers.
    rows, cols : int, optional
        Samples and features (default 1024 x 1024).
    byzantine, private, K : int, optional
        As in ``lagrange_gram_job``.
    p : int, optional
        The prime (default 2^31 - 1).
    bits : int, optional
        Significant bits of X and w, in [1, 30] (default: the largest that cannot
        overflow, see above).
    w_max : float, optional
        Bound of the weights, > 0 (default 1.0).
    **params
        None other accepted.

    Returns
    -------
    LagrangeJob
        Scheme ``LagrangeCoded(2, K, T, A, S, GF(p), f=regression_gradient)``, data
        the K blocks of [Xq | yq] (uint32), ``finish`` the integer sum and rescaling.

    Raises
    ------
    ValueError
        An unknown keyword parameter; too few workers (as ``lagrange_gram_job``);
        ``rows < 1`` or ``cols < 1``; ``w_max`` not a finite number > 0; an explicit
        ``bits`` that can overflow, or no ``bits`` that cannot.
    FieldValueError
        ``p`` is not a prime in (2, 2^31) (a ValueError).
    InvalidArgumentError
        ``byzantine``, ``private``, ``K``, ``p`` or ``bits`` is not an int in range, or
        p is too small for the points.

    Examples
    --------
    >>> from fastcode.schemes.jobs import lagrange_regression_job
    >>> job = lagrange_regression_job(6, rng=0, rows=8, cols=2, byzantine=1)
    >>> job.name
    'lagrange X^T (X w - y) (n=6, K=2, T=0, A=1, S=1) over GF(2147483647), 9-bit fixed point ...'
    >>> from fastcode.runtime import VirtualCluster
    >>> cluster = VirtualCluster(6)
    >>> _ = cluster.setup(job.scheme, job.data)
    >>> wq = job.make_input(np.random.default_rng(1))
    >>> r = cluster.run_round(wq, [1.0, 2.0, 3.0, 4.0, 5.0, 0.5])
    >>> job.check(r.output, wq)                   # exact in fixed point, liar located
    True
    >>> grad = job.finish(r.output.values)
    >>> bool(np.allclose(grad, job.real_gradient(wq), atol=0.05))   # up to quantisation
    True
    """
    _no_extra("lagrange-regression takes only byzantine, private, K, p, bits and w_max", params)
    g = as_generator(rng)
    scheme = _lagrange_scheme(n_workers, g, regression_gradient, 2, byzantine, private, K, p,
                              "lagrange-regression")
    field = scheme.field
    if rows < 1 or cols < 1:
        raise ValueError(f"lagrange-regression needs rows >= 1 and cols >= 1, got rows={rows}, "
                         f"cols={cols}")
    if not (isinstance(w_max, (int, float)) and np.isfinite(w_max) and w_max > 0):
        raise ValueError(f"lagrange-regression needs w_max > 0, got {w_max!r}")
    X = g.standard_normal((rows, cols)) / np.sqrt(cols)
    y = X @ g.standard_normal(cols) + 0.1 * g.standard_normal(rows)
    half = (field.p - 1) // 2

    def quantise(b):
        ex, ew = regression_scales(X, y, w_max, b)
        Xq = np.rint(np.ldexp(X, ex)).astype(np.int64)
        yq = np.rint(np.ldexp(y, ex + ew)).astype(np.int64)
        w_bound = int(np.floor(np.ldexp(float(w_max), ew) + 0.5))
        return ex, ew, Xq, yq, regression_bound(Xq, yq, w_bound, scheme.K)

    if bits is None:
        bits, q = None, None
        for b in range(1, 31):
            trial = quantise(b)
            if trial[-1] > half:
                break
            bits, q = b, trial
        if q is None:
            raise ValueError(f"lagrange-regression: even 1-bit fixed point can overflow "
                             f"GF({field.p}) with {rows} x {cols} data in {scheme.K} blocks: "
                             "use more blocks (K) or fewer rows")
    else:
        bits = integer(bits, "bits", 1, 30)
        q = quantise(bits)
        if q[-1] > half:
            raise ValueError(f"lagrange-regression: {bits}-bit fixed point can reach {q[-1]}, "
                             f"beyond (p-1)/2 = {half} in GF({field.p}): use fewer bits")
    ex, ew, Xq, yq, _ = q
    Z = np.concatenate([Xq, yq[:, None]], axis=1)
    blocks = _row_blocks(np.where(Z < 0, Z + field.p, Z).astype(np.uint32), scheme.K, field)
    scale = 2.0 ** -(2 * ex + ew)

    def centred(v):
        v = np.asarray(v, dtype=np.int64)
        return np.where(v > half, v - field.p, v)

    def make_input(g2):
        w = g2.uniform(-float(w_max), float(w_max), cols)
        wq = np.rint(np.ldexp(w, ew)).astype(np.int64)
        return np.where(wq < 0, wq + field.p, wq).astype(np.uint32)

    def finish(values):
        return centred(values).sum(axis=0) * scale

    def reference(wq):
        # exact integers: |Xq wq - yq| and every block sum stay far below 2^63
        return (Xq.T @ (Xq @ centred(wq) - yq)) * scale

    job = LagrangeJob(f"{_lagrange_label('X^T (X w - y)', scheme)}, {bits}-bit fixed point "
                      f"(X * 2^{ex}, w * 2^{ew})", scheme, blocks, make_input=make_input,
                      reference=reference, rtol=0, atol=0, finish=finish)
    # an attribute of this job only (not a LagrangeJob field)
    job.real_gradient = lambda wq: X.T @ (X @ (centred(wq) * 2.0 ** -ew) - y)  # type: ignore[attr-defined]
    return job
