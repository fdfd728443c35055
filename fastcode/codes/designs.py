"""Assignments for gradient codes: which worker holds which data part
(:ref:`gradient-frc`, :ref:`gradient-crc`, :ref:`gradient-expander`,
:ref:`the assignments <gradient-designs>`).

An assignment is a 0/1 matrix ``A`` of shape (n workers, N parts), dtype
uint8, ``A[i, j] = 1`` iff worker i holds part j.  Graph adjacencies are
returned in the same form (square for graphs, (left, right) for bipartite
graphs).  Randomised constructions take ``rng`` (seed or Generator).
"""
import numpy as np

from fastcode.errors import InvalidArgumentError
from fastcode._util.rng import as_generator
from fastcode._util.validate import integer
from fastcode.fields.prime import is_prime

#: Perfect (Singer) difference sets D in Z_v, v = q^2 + q + 1, by q: ``{q: (v, D)}``.  Every
#: non-zero residue is a difference of two elements of D exactly once (docs: schemes/gradient,
#: 'Communication-efficient approximate codes').
DIFFERENCE_SETS = {
    2: (7, (0, 1, 3)),
    3: (13, (0, 1, 3, 9)),
    4: (21, (3, 6, 7, 12, 14)),
    5: (31, (1, 5, 11, 24, 25, 27)),
    7: (57, (0, 1, 3, 13, 32, 36, 43, 52)),
    8: (73, (1, 2, 4, 8, 16, 32, 37, 55, 64)),
    9: (91, (0, 1, 3, 9, 27, 49, 56, 61, 77, 81)),
}


def cyclic_assignment(n, c):
    """Worker i holds parts {i, ..., i + c - 1} mod n: shape (n, n), c ones per row and column."""
    n = integer(n, "n", 1)
    c = integer(c, "c", 1)
    if c > n:
        raise InvalidArgumentError(f"need 1 <= c <= n, got c={c}, n={n}")
    A = np.zeros((n, n), dtype=np.uint8)
    i = np.arange(n)
    for t in range(c):
        A[i, (i + t) % n] = 1
    return A


def frc_assignment(n, s):
    """Fractional repetition: n/(s+1) groups of s+1 consecutive workers, group g holds
    parts g(s+1) .. g(s+1)+s.  Needs (s + 1) | n."""
    n = integer(n, "n", 1)
    s = integer(s, "s", 0)
    if n % (s + 1):
        raise InvalidArgumentError(f"fractional repetition needs (s + 1) | n, got n={n}, s={s}")
    return np.kron(np.eye(n // (s + 1), dtype=np.uint8), np.ones((s + 1, s + 1), dtype=np.uint8))


def difference_set_design(v, D):
    """Cyclic design A[i, (i + delta) mod v] = 1 for delta in D: shape (v, v)."""
    v = integer(v, "v", 1)
    D = [int(x) % v for x in D]
    if len(set(D)) != len(D):
        raise InvalidArgumentError(f"difference set has repeated residues mod {v}: {D}")
    A = np.zeros((v, v), dtype=np.uint8)
    i = np.arange(v)
    for delta in D:
        A[i, (i + delta) % v] = 1
    return A


def projective_plane(q):
    """Incidence matrix of PG(2, q) from the built-in Singer difference set: shape
    (v, v), v = q^2 + q + 1, q + 1 ones per row and column, A A^T = q I + J.
    Available q: 2, 3, 4, 5, 7, 8, 9."""
    if q not in DIFFERENCE_SETS:
        raise InvalidArgumentError(f"no built-in difference set for q={q!r}; "
                                   f"available: {sorted(DIFFERENCE_SETS)}")
    v, D = DIFFERENCE_SETS[q]
    return difference_set_design(v, D)


def paley_graph(q):
    """Adjacency of the Paley graph on a prime q = 1 (mod 4): a ~ b iff a - b is a
    non-zero square mod q.  srg(q, (q-1)/2, (q-5)/4, (q-1)/4); shape (q, q)."""
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


def biregular_graph(a, b, d_left, d_right, rng=None, deterministic=None):
    """Simple bipartite graph, a left vertices of degree d_left, b right vertices of
    degree d_right (a d_left = b d_right); biadjacency of shape (a, b).

    ``deterministic`` (default: True for (40, 20, 3, 6) when rng is None) uses the
    structured (40, 20, 3, 6) graph: left vertex l joins (3 l + t) mod 20,
    t in {0, 1, 2} if l < 20 else {0, 7, 14}.  Otherwise a random pairing of stubs."""
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


def random_regular_graph(n, d, rng=None):
    """Simple d-regular graph on n vertices (n d even), random stub pairing; (n, n) adjacency."""
    n = integer(n, "n", 1)
    d = integer(d, "d", 0)
    if d >= n or (n * d) % 2:
        raise InvalidArgumentError(f"no simple {d}-regular graph on {n} vertices")
    rng = as_generator(rng)
    stubs = [i for i in range(n) for _ in range(d)]
    return _pair_stubs(stubs, None, (n, n), rng, bipartite=False)


def second_eigenvalue(adj):
    """Largest |eigenvalue| of a symmetric adjacency on the subspace orthogonal to 1
    (for a d-regular graph: the second-largest absolute eigenvalue)."""
    A = np.asarray(adj, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.allclose(A, A.T):
        raise InvalidArgumentError(f"adj must be a symmetric square matrix, got shape {A.shape}")
    n = A.shape[0]
    P = np.eye(n) - 1.0 / n
    return float(np.max(np.abs(np.linalg.eigvalsh(P @ A @ P))))


def replication(assignment):
    """Replication r_j (holders per part), shape (N,) int64."""
    return np.asarray(assignment, dtype=np.int64).sum(axis=0)


def check_assignment(assignment, name="assignment"):
    """The assignment as a (n, N) uint8 0/1 array; InvalidArgumentError otherwise."""
    A = np.asarray(assignment)
    if A.ndim != 2 or A.size == 0:
        raise InvalidArgumentError(f"{name} must be a non-empty 2-D 0/1 matrix, got shape {A.shape}")
    if A.dtype.kind not in "biuf" or not np.all((A == 0) | (A == 1)):
        raise InvalidArgumentError(f"{name} must hold only 0 and 1")
    return np.ascontiguousarray(A, dtype=np.uint8)


def design_summary(assignment):
    """Short text: shape, per-worker load range, replication range."""
    A = check_assignment(assignment)
    loads, reps = A.sum(axis=1), A.sum(axis=0)
    return (f"{A.shape[0]} workers x {A.shape[1]} parts, load {loads.min()}..{loads.max()}, "
            f"replication {reps.min()}..{reps.max()}")


__all__ = ["DIFFERENCE_SETS", "cyclic_assignment", "frc_assignment", "difference_set_design",
           "projective_plane", "paley_graph", "biregular_graph", "random_regular_graph",
           "second_eigenvalue", "replication", "check_assignment", "design_summary"]
