"""Assignments for gradient codes: which worker holds which data part
(:ref:`gradient-frc`, :ref:`gradient-crc`, :ref:`gradient-expander`,
:ref:`the assignments <gradient-designs>`).

An assignment is a 0/1 matrix ``A`` of shape (n workers, N parts), dtype
uint8, ``A[i, j] = 1`` iff worker i holds part j.  Graph adjacencies are
returned in the same form (square for graphs, (left, right) for bipartite
graphs).  Randomised constructions take ``rng`` (seed or Generator).
"""
from typing import Dict, Iterable, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.errors import InvalidArgumentError
from fastcode._util.rng import as_generator
from fastcode._util.validate import integer
from fastcode.fields.prime import is_prime

#: What a randomised construction takes as ``rng``: None (fresh entropy), an int seed
#: or a ``numpy.random.Generator``.
RNGLike = Optional[Union[int, np.random.Generator]]

#: Perfect (Singer) difference sets D in Z_v, v = q^2 + q + 1, by q: ``{q: (v, D)}``.  Every
#: non-zero residue is a difference of two elements of D exactly once (docs: schemes/gradient,
#: 'Communication-efficient approximate codes').
DIFFERENCE_SETS: Dict[int, Tuple[int, Tuple[int, ...]]] = {
    2: (7, (0, 1, 3)),
    3: (13, (0, 1, 3, 9)),
    4: (21, (3, 6, 7, 12, 14)),
    5: (31, (1, 5, 11, 24, 25, 27)),
    7: (57, (0, 1, 3, 13, 32, 36, 43, 52)),
    8: (73, (1, 2, 4, 8, 16, 32, 37, 55, 64)),
    9: (91, (0, 1, 3, 9, 27, 49, 56, 61, 77, 81)),
}


def cyclic_assignment(n: int, c: int) -> np.ndarray:
    """Cyclic assignment: worker i holds parts {i, ..., i + c - 1} mod n.

    The assignment of cyclic repetition and cyclic MDS gradient codes (each
    part replicated c times, so up to c - 1 stragglers are tolerated).

    Parameters
    ----------
    n : int
        Workers, and parts.
    c : int
        Parts per worker, 1 <= c <= n.

    Returns
    -------
    (n, n) uint8 array
        0/1, c ones in every row and column.

    Raises
    ------
    InvalidArgumentError
        n or c not a positive int, or c > n.

    Examples
    --------
    >>> from fastcode.codes.designs import cyclic_assignment
    >>> cyclic_assignment(4, 2).tolist()
    [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]]
    """
    n = integer(n, "n", 1)
    c = integer(c, "c", 1)
    if c > n:
        raise InvalidArgumentError(f"need 1 <= c <= n, got c={c}, n={n}")
    A = np.zeros((n, n), dtype=np.uint8)
    i = np.arange(n)
    for t in range(c):
        A[i, (i + t) % n] = 1
    return A


def frc_assignment(n: int, s: int) -> np.ndarray:
    """Fractional repetition: n/(s+1) groups of s+1 workers that hold the same parts.

    Group g is workers g(s+1) .. g(s+1)+s, and holds parts g(s+1) .. g(s+1)+s;
    any s stragglers leave one worker of every group.

    Parameters
    ----------
    n : int
        Workers, and parts; (s + 1) must divide n.
    s : int
        Stragglers tolerated, >= 0.

    Returns
    -------
    (n, n) uint8 array
        Block diagonal, n/(s+1) all-ones blocks of size s+1.

    Raises
    ------
    InvalidArgumentError
        n or s not an int in range, or (s + 1) not dividing n.

    Examples
    --------
    >>> from fastcode.codes.designs import frc_assignment
    >>> frc_assignment(4, 1).tolist()
    [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]
    """
    n = integer(n, "n", 1)
    s = integer(s, "s", 0)
    if n % (s + 1):
        raise InvalidArgumentError(f"fractional repetition needs (s + 1) | n, got n={n}, s={s}")
    return np.kron(np.eye(n // (s + 1), dtype=np.uint8), np.ones((s + 1, s + 1), dtype=np.uint8))


def difference_set_design(v: int, D: Iterable[int]) -> np.ndarray:
    """Cyclic design of a difference set: ``A[i, (i + delta) mod v] = 1`` for delta in D.

    Parameters
    ----------
    v : int
        Workers, and parts (the modulus), >= 1.
    D : iterable of int
        Distinct residues mod v.

    Returns
    -------
    (v, v) uint8 array
        0/1, len(D) ones in every row and column.

    Raises
    ------
    InvalidArgumentError
        v not a positive int, or D with repeated residues mod v.

    Examples
    --------
    {0, 1, 3} mod 7 is a perfect difference set: any two workers share
    exactly one part.

    >>> from fastcode.codes.designs import difference_set_design
    >>> A = difference_set_design(7, [0, 1, 3])
    >>> A[:2].tolist()
    [[1, 1, 0, 1, 0, 0, 0], [0, 1, 1, 0, 1, 0, 0]]
    >>> shared = A.astype(int) @ A.T
    >>> bool(np.all(shared[~np.eye(7, dtype=bool)] == 1))
    True
    """
    v = integer(v, "v", 1)
    D = [int(x) % v for x in D]
    if len(set(D)) != len(D):
        raise InvalidArgumentError(f"difference set has repeated residues mod {v}: {D}")
    A = np.zeros((v, v), dtype=np.uint8)
    i = np.arange(v)
    for delta in D:
        A[i, (i + delta) % v] = 1
    return A


def projective_plane(q: int) -> np.ndarray:
    """Incidence matrix of the projective plane PG(2, q), from a Singer difference set.

    Lines are workers and points are parts (or the other way round: the
    matrix is square): v = q^2 + q + 1 of each, q + 1 ones per row and column,
    and ``A A^T = q I + J`` (two workers share exactly one part).

    Parameters
    ----------
    q : int
        A prime power with a built-in difference set (``DIFFERENCE_SETS``):
        2, 3, 4, 5, 7, 8 or 9.

    Returns
    -------
    (v, v) uint8 array
        The incidence matrix, v = q^2 + q + 1.

    Raises
    ------
    InvalidArgumentError
        No built-in difference set for q.

    Examples
    --------
    The Fano plane:

    >>> from fastcode.codes.designs import projective_plane
    >>> A = projective_plane(2)
    >>> A.shape, A.sum(axis=1).tolist()
    ((7, 7), [3, 3, 3, 3, 3, 3, 3])
    >>> np.array_equal(A.astype(int) @ A.T, 2 * np.eye(7) + 1)
    True
    """
    if q not in DIFFERENCE_SETS:
        raise InvalidArgumentError(f"no built-in difference set for q={q!r}; "
                                   f"available: {sorted(DIFFERENCE_SETS)}")
    v, D = DIFFERENCE_SETS[q]
    return difference_set_design(v, D)


def paley_graph(q: int) -> np.ndarray:
    """Adjacency of the Paley graph on a prime q = 1 (mod 4).

    a ~ b iff a - b is a non-zero square mod q: a strongly regular graph
    srg(q, (q-1)/2, (q-5)/4, (q-1)/4), a good expander.

    Parameters
    ----------
    q : int
        A prime, q = 1 (mod 4).

    Returns
    -------
    (q, q) uint8 array
        Symmetric 0/1 adjacency, zero diagonal.

    Raises
    ------
    InvalidArgumentError
        q not a prime = 1 (mod 4) (or below 5).

    Examples
    --------
    >>> from fastcode.codes.designs import paley_graph
    >>> A = paley_graph(13)
    >>> A.shape, set(A.sum(axis=1).tolist())
    ((13, 13), {6})
    >>> paley_graph(5).tolist()                      # the 5-cycle
    [[0, 1, 0, 0, 1], [1, 0, 1, 0, 0], [0, 1, 0, 1, 0], [0, 0, 1, 0, 1], [1, 0, 0, 1, 0]]
    """
    q = integer(q, "q", 5)
    if not is_prime(q) or q % 4 != 1:
        raise InvalidArgumentError(f"Paley graph needs a prime q = 1 (mod 4), got {q}")
    squares = np.zeros(q, dtype=bool)
    squares[(np.arange(1, q) ** 2) % q] = True
    diff = (np.arange(q)[:, None] - np.arange(q)[None, :]) % q
    return squares[diff].astype(np.uint8)


def _pair_stubs(left_stubs, right_stubs, shape, rng, bipartite, max_restarts=1000):
    """Random simple (loop and multi-edge free) pairing of stubs, Steger-Wormald style:
    draw two random remaining stubs, keep the pair if admissible, else draw again;
    start over after too many rejections in a row (a dead end)."""
    for _ in range(max_restarts):
        A = np.zeros(shape, dtype=np.uint8)
        L = list(left_stubs)
        R = list(right_stubs) if bipartite else None
        stuck = False
        while L and not stuck:
            for _try in range(200):
                if bipartite:
                    x, y = rng.integers(len(L)), rng.integers(len(R))
                    a, b = L[x], R[y]
                    if A[a, b]:
                        continue
                    A[a, b] = 1
                    L[x], R[y] = L[-1], R[-1]
                    L.pop()
                    R.pop()
                else:
                    x, y = rng.integers(len(L)), rng.integers(len(L))
                    a, b = L[x], L[y]
                    if x == y or a == b or A[a, b]:
                        continue
                    A[a, b] = A[b, a] = 1
                    for z in sorted((x, y), reverse=True):
                        L[z] = L[-1]
                        L.pop()
                break
            else:
                stuck = True
        if not stuck:
            return A
    raise RuntimeError("could not build a simple graph with these degrees")


def biregular_graph(a: int, b: int, d_left: int, d_right: int, rng: RNGLike = None,
                    deterministic: Optional[bool] = None) -> np.ndarray:
    """Simple bipartite graph with a left vertices of degree d_left, b right of degree d_right.

    A random pairing of stubs (rejecting loops and multi-edges), or, for
    (40, 20, 3, 6), a structured graph: left vertex l joins (3 l + t) mod 20,
    t in {0, 1, 2} if l < 20 else {0, 7, 14}.

    Parameters
    ----------
    a, b : int
        Left and right vertices.
    d_left, d_right : int
        Their degrees: a d_left = b d_right, d_left <= b, d_right <= a.
    rng : None, int or numpy.random.Generator, optional
        Randomness of the stub pairing.
    deterministic : bool, optional
        Use the structured (40, 20, 3, 6) graph (default: True for those
        parameters when ``rng`` is None, else False).

    Returns
    -------
    (a, b) uint8 array
        The biadjacency matrix.

    Raises
    ------
    InvalidArgumentError
        Parameters that no simple bi-regular graph has, or
        ``deterministic=True`` for other parameters than (40, 20, 3, 6).
    RuntimeError
        The random pairing kept running into dead ends (1000 restarts).

    Examples
    --------
    >>> from fastcode.codes.designs import biregular_graph
    >>> B = biregular_graph(40, 20, 3, 6)            # the structured graph
    >>> B.shape, set(B.sum(axis=1).tolist()), set(B.sum(axis=0).tolist())
    ((40, 20), {3}, {6})
    >>> R = biregular_graph(6, 4, 2, 3, rng=0)       # a random one
    >>> R.sum(axis=1).tolist(), R.sum(axis=0).tolist()
    ([2, 2, 2, 2, 2, 2], [3, 3, 3, 3])
    """
    a = integer(a, "a", 1)
    b = integer(b, "b", 1)
    d_left = integer(d_left, "d_left", 1)
    d_right = integer(d_right, "d_right", 1)
    if a * d_left != b * d_right or d_left > b or d_right > a:
        raise InvalidArgumentError(f"no simple ({a}, {b}, {d_left}, {d_right}) bi-regular graph: "
                                   "need a d_left = b d_right, d_left <= b, d_right <= a")
    special = (a, b, d_left, d_right) == (40, 20, 3, 6)
    if deterministic is None:
        deterministic = special and rng is None
    if deterministic:
        if not special:
            raise InvalidArgumentError("the deterministic construction is the (40, 20, 3, 6) graph")
        A = np.zeros((40, 20), dtype=np.uint8)
        for l in range(40):
            for t in ((0, 1, 2) if l < 20 else (0, 7, 14)):
                A[l, (3 * l + t) % 20] = 1
        return A
    rng = as_generator(rng)
    left = [i for i in range(a) for _ in range(d_left)]
    right = [j for j in range(b) for _ in range(d_right)]
    return _pair_stubs(left, right, (a, b), rng, bipartite=True)


def random_regular_graph(n: int, d: int, rng: RNGLike = None) -> np.ndarray:
    """Random simple d-regular graph on n vertices, by stub pairing.

    Parameters
    ----------
    n : int
        Vertices, >= 1.
    d : int
        Degree, 0 <= d < n, with n d even.
    rng : None, int or numpy.random.Generator, optional
        Randomness of the pairing.

    Returns
    -------
    (n, n) uint8 array
        Symmetric 0/1 adjacency, zero diagonal.

    Raises
    ------
    InvalidArgumentError
        No simple d-regular graph on n vertices.
    RuntimeError
        The random pairing kept running into dead ends (1000 restarts).

    Examples
    --------
    >>> from fastcode.codes.designs import random_regular_graph
    >>> G = random_regular_graph(8, 3, rng=0)
    >>> G.sum(axis=1).tolist()
    [3, 3, 3, 3, 3, 3, 3, 3]
    >>> np.array_equal(G, G.T), int(np.trace(G))
    (True, 0)
    """
    n = integer(n, "n", 1)
    d = integer(d, "d", 0)
    if d >= n or (n * d) % 2:
        raise InvalidArgumentError(f"no simple {d}-regular graph on {n} vertices")
    rng = as_generator(rng)
    stubs = [i for i in range(n) for _ in range(d)]
    return _pair_stubs(stubs, None, (n, n), rng, bipartite=False)


def second_eigenvalue(adj: ArrayLike) -> float:
    """Largest |eigenvalue| of a symmetric adjacency on the subspace orthogonal to 1.

    For a d-regular graph: the second-largest absolute eigenvalue, the
    expansion measure of expander-based gradient codes (smaller is better;
    at least about 2 sqrt(d - 1) for large graphs).

    Parameters
    ----------
    adj : (n, n) array_like
        Symmetric adjacency matrix.

    Returns
    -------
    float
        The largest |eigenvalue| of P A P, P the projection orthogonal to 1.

    Raises
    ------
    InvalidArgumentError
        ``adj`` not a symmetric square matrix.

    Examples
    --------
    The 5-cycle (Paley graph on 5 vertices): eigenvalues 2 and 2 cos(2 pi j / 5).

    >>> from fastcode.codes.designs import paley_graph, second_eigenvalue
    >>> round(second_eigenvalue(paley_graph(5)), 4)
    1.618
    """
    A = np.asarray(adj, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.allclose(A, A.T):
        raise InvalidArgumentError(f"adj must be a symmetric square matrix, got shape {A.shape}")
    n = A.shape[0]
    P = np.eye(n) - 1.0 / n
    return float(np.max(np.abs(np.linalg.eigvalsh(P @ A @ P))))


def replication(assignment: ArrayLike) -> np.ndarray:
    """Replication r_j of every part: how many workers hold it.

    Parameters
    ----------
    assignment : (n, N) array_like
        0/1 assignment, workers x parts.

    Returns
    -------
    (N,) int64 array
        The column sums.

    Examples
    --------
    >>> from fastcode.codes.designs import cyclic_assignment, replication
    >>> replication(cyclic_assignment(5, 3)).tolist()
    [3, 3, 3, 3, 3]
    """
    return np.asarray(assignment, dtype=np.int64).sum(axis=0)


def check_assignment(assignment: ArrayLike, name: str = "assignment") -> np.ndarray:
    """The assignment as a validated (n, N) uint8 0/1 array.

    Parameters
    ----------
    assignment : (n, N) array_like
        Workers x parts, entries 0 or 1 (bool, int or float).
    name : str, default "assignment"
        The argument's name in error messages.

    Returns
    -------
    (n, N) uint8 array
        C-contiguous.

    Raises
    ------
    InvalidArgumentError
        Not a non-empty 2-D matrix, or entries other than 0 and 1.

    Examples
    --------
    >>> from fastcode.codes.designs import check_assignment
    >>> A = check_assignment([[True, False], [True, True]])
    >>> A.dtype, A.tolist()
    (dtype('uint8'), [[1, 0], [1, 1]])
    >>> check_assignment([[2, 0]], "A")
    Traceback (most recent call last):
        ...
    fastcode.errors.InvalidArgumentError: A must hold only 0 and 1
    """
    A = np.asarray(assignment)
    if A.ndim != 2 or A.size == 0:
        raise InvalidArgumentError(f"{name} must be a non-empty 2-D 0/1 matrix, got shape {A.shape}")
    if A.dtype.kind not in "biuf" or not np.all((A == 0) | (A == 1)):
        raise InvalidArgumentError(f"{name} must hold only 0 and 1")
    return np.ascontiguousarray(A, dtype=np.uint8)


def design_summary(assignment: ArrayLike) -> str:
    """Short text: shape, per-worker load range, replication range.

    Parameters
    ----------
    assignment : (n, N) array_like
        0/1 assignment, workers x parts.

    Returns
    -------
    str
        One line.

    Raises
    ------
    InvalidArgumentError
        ``assignment`` not a non-empty 2-D 0/1 matrix.

    Examples
    --------
    >>> from fastcode.codes.designs import design_summary, projective_plane
    >>> print(design_summary(projective_plane(3)))
    13 workers x 13 parts, load 4..4, replication 4..4
    """
    A = check_assignment(assignment)
    loads, reps = A.sum(axis=1), A.sum(axis=0)
    return (f"{A.shape[0]} workers x {A.shape[1]} parts, load {loads.min()}..{loads.max()}, "
            f"replication {reps.min()}..{reps.max()}")


__all__ = ["DIFFERENCE_SETS", "cyclic_assignment", "frc_assignment", "difference_set_design",
           "projective_plane", "paley_graph", "biregular_graph", "random_regular_graph",
           "second_eigenvalue", "replication", "check_assignment", "design_summary"]
