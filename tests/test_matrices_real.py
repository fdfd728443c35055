"""Real-valued constructions: the condition-number oracle tables of
docs/schemes/03-stable-real-codes.md §10 and decoding accuracy."""
import itertools
import math

import numpy as np
import pytest

from fastcode import NotEnoughShardsError, ShardSizeError
from fastcode import matrices_real as mr


def close(got, want):
    """The spec's tolerances (§10): relative 1e-3 below 1e6 (widened to the
    rounding of the printed value, e.g. 3.43e3 stands for [3425, 3435)), two
    significant digits up to 1e10, order of magnitude (factor 2) above.
    ``want`` is the table text, so its printed precision is known."""
    value = float(want)
    mantissa = want.lower().split("e")[0].replace("-", "")
    digits = len(mantissa.replace(".", "").lstrip("0"))
    exponent = math.floor(math.log10(value))
    printed = 0.5 * 10 ** (exponent - digits + 1)
    if value < 1e6:
        return abs(got - value) <= max(1e-3 * value, printed)
    if value <= 1e10:
        return abs(got - value) <= max(5e-3 * value, printed)
    return value / 2 <= got <= value * 2


# (n, k): real Vand [-1,1], real Vand @ cheb, Chebyshev-Vand, complex Vand, Gaussian seed 0;
# each (worst, average); circulant worst (None: n not prime)
MV_TABLE = {
    (11, 9): [("8.81e3", "3.43e3"), ("3.06e3", "1.54e3"), ("294.3", "24.33"), ("11.65", "5.426"), ("1.04e5", "1.94e3"), "11.65"],
    (20, 16): [("1.17e8", "1.20e7"), ("1.29e7", "1.82e6"), ("5.348e5", "1192"), ("462.6", "27.98"), ("5.74e5", "334"), None],
    (30, 27): [("7.56e12", "1.65e12"), ("5.90e10", "1.88e10"), ("4.953e5", "1004"), ("372.3", "26.25"), ("1.31e5", "338"), None],
    (31, 29): [("2.95e13", "1.13e13"), ("1.23e11", "6.77e10"), ("1.217e4", "143.5"), ("54.96", "12.35"), ("2.37e4", "230"), "54.96"],
}


def mv_generators(n, k):
    return [mr.real_vandermonde(n, k),
            mr.real_vandermonde(n, k, mr.chebyshev_nodes(n)),
            mr.chebyshev_vandermonde(n, k),
            mr.complex_vandermonde(n, k),
            np.random.default_rng(0).standard_normal((k, n))]


@pytest.mark.parametrize("nk", list(MV_TABLE))
def test_matvec_condition_table(nk):
    n, k = nk
    row = MV_TABLE[nk]
    for G, (worst, mean) in zip(mv_generators(n, k), row[:5]):
        rep = mr.condition_numbers(G, k)
        assert rep.exhaustive and rep.n_sets == math.comb(n, k)
        assert close(rep.worst, worst), (rep.worst, worst)
        assert close(rep.mean, mean), (rep.mean, mean)
    # Gaussian (seed 0) is spec'd as "standard_normal((k, n))" -- also via the helper
    assert np.array_equal(mr.gaussian_generator(n, k, 0), mv_generators(n, k)[4])


@pytest.mark.parametrize("nk", [(11, 9), (31, 29)])
def test_rotation_equals_complex_vandermonde(nk):
    n, k = nk
    (worst, mean) = MV_TABLE[nk][3]
    rep = mr.condition_numbers(mr.rotation_generator(n, k), k, columns_per_worker=2)
    assert close(rep.worst, worst) and close(rep.mean, mean)
    cv = mr.condition_numbers(mr.complex_vandermonde(n, k), k)
    assert rep.worst == pytest.approx(cv.worst, rel=1e-9)
    assert rep.mean == pytest.approx(cv.mean, rel=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("nk", [(20, 16), (30, 27)])
def test_rotation_table_large(nk):
    n, k = nk
    (worst, mean) = MV_TABLE[nk][3]
    rep = mr.condition_numbers(mr.rotation_generator(n, k), k, columns_per_worker=2)
    assert close(rep.worst, worst) and close(rep.mean, mean)


@pytest.mark.parametrize("nk", [(11, 9), (31, 29)])
def test_circulant_condition(nk):
    n, k = nk
    rep = mr.circulant_condition_numbers(n, k, q=n)
    assert close(rep.worst, MV_TABLE[nk][5])


MM_TABLE = {
    # (n, k_A, k_B): real polynomial, complex polynomial, Chebyshev OrthoPoly, rotation embedding
    (31, 4, 7): [("2.29e13", "4.97e12"), ("404", "27.2"), ("6.06e5", "1.26e3"), ("404", "27.2")],
    (11, 4, 2): [("8.61e3", "1.65e3"), ("29.2", "8.10"), ("1.55e3", "62.9"), ("29.2", "8.10")],
}


@pytest.mark.parametrize("key", list(MM_TABLE))
def test_matmul_condition_table(key):
    n, ka, kb = key
    K = ka * kb
    gens = [(mr.polynomial_code_generator(n, ka, kb), 1),
            (mr.polynomial_code_generator(n, ka, kb, kind="complex"), 1),
            (mr.orthopoly_generator(n, ka, kb), 1)]
    if n <= 11:
        gens.append((mr.rotation_matmul_generator(n, ka, kb), 4))
    for (G, c), (worst, mean) in zip(gens, MM_TABLE[key]):
        rep = mr.condition_numbers(G, K, columns_per_worker=c)
        assert close(rep.worst, worst), (rep.worst, worst)
        assert close(rep.mean, mean), (rep.mean, mean)


@pytest.mark.slow
def test_rotation_matmul_table_large():
    rep = mr.condition_numbers(mr.rotation_matmul_generator(31, 4, 7), 28, columns_per_worker=4)
    assert close(rep.worst, "404") and close(rep.mean, "27.2")


# ---- constructions --------------------------------------------------------------

def test_definitions():
    n = 7
    rho = mr.chebyshev_nodes(n)
    assert np.allclose(rho, np.cos((2 * np.arange(n) + 1) * np.pi / (2 * n)))
    G = mr.chebyshev_vandermonde(n, 5)
    assert np.allclose(G, np.cos(np.arange(5)[:, None] * np.arccos(rho)[None, :]))
    V = mr.complex_vandermonde(n, 3)
    assert np.allclose(V, np.exp(2j * np.pi / n) ** (np.arange(3)[:, None] * np.arange(n)[None, :]))
    R = mr.rotation_generator(n, 3)
    th = 2 * np.pi / n
    for i, j in itertools.product(range(3), range(n)):
        want = np.linalg.matrix_power(mr.rotation_matrix(th), i * j)
        assert np.allclose(R[2 * i:2 * i + 2, 2 * j:2 * j + 2], want)
    P = mr.cyclic_shift(5)
    v = np.arange(5.0)
    assert np.array_equal(P @ v, v[(np.arange(5) - 1) % 5])
    C = mr.circulant_generator(5, 3, 5)
    for i, j in itertools.product(range(3), range(5)):
        assert np.array_equal(C[5 * i:5 * i + 5, 5 * j:5 * j + 5], np.linalg.matrix_power(P, i * j))
    assert mr.circulant_generator(6, 2).shape == (14, 42)            # q = 7, next prime
    with pytest.raises(ShardSizeError):
        mr.circulant_generator(5, 3, q=4)
    with pytest.raises(ShardSizeError):
        mr.chebyshev_vandermonde(3, 4)


def test_orthopoly_entries():
    n, ka, kb = 9, 2, 3
    G = mr.orthopoly_generator(n, ka, kb)
    T = mr.chebyshev_polynomials(8, mr.chebyshev_nodes(n))
    assert np.allclose(G[1 + 2 * ka], T[1] * T[2 * ka])


def test_sampled_condition_numbers_state_their_count():
    G = mr.chebyshev_vandermonde(30, 15)                              # C(30, 15) ~ 1.6e8 sets
    rep = mr.condition_numbers(G, 15, max_sets=300, rng=1)
    assert not rep.exhaustive and rep.n_sets == 300
    assert len(rep.worst_set) == 15 and rep.worst >= rep.mean >= 1
    exh = mr.condition_numbers(mr.chebyshev_vandermonde(8, 5), 5)
    assert exh.exhaustive and exh.n_sets == 56
    assert mr.worst_condition_number(mr.chebyshev_vandermonde(8, 5), 5) == exh.worst
    assert mr.average_condition_number(mr.chebyshev_vandermonde(8, 5), 5) == exh.mean


def test_best_gaussian_is_best_of_draws():
    G, worst = mr.best_gaussian_generator(9, 6, draws=20, rng=3)
    assert worst == mr.worst_condition_number(G, 6)
    rng = np.random.default_rng(3)
    scores = [mr.worst_condition_number(mr.gaussian_generator(9, 6, rng), 6) for _ in range(20)]
    assert worst == min(scores)


# ---- decoding accuracy ------------------------------------------------------------

def decode_error(G, k, c, S, rng, L=40):
    """Relative error of recovering X (k c, L) from the responders S of Y = G^T X."""
    X = rng.standard_normal((G.shape[0], L))
    Y = G.T @ X
    cols = (np.asarray(S)[:, None] * c + np.arange(c)).ravel()
    Xh = np.linalg.solve(G[:, cols].T, Y[cols])
    return np.linalg.norm(Xh - X) / np.linalg.norm(X)


@pytest.mark.parametrize("name", ["chebyshev", "complex", "rotation", "gaussian-best"])
def test_stable_decoding_worst_set(name, rng):
    n, k = 31, 29
    if name == "chebyshev":
        G, c = mr.chebyshev_vandermonde(n, k), 1
    elif name == "complex":
        G, c = mr.complex_vandermonde(n, k), 1
    elif name == "rotation":
        G, c = mr.rotation_generator(n, k), 2
    else:
        n, k = 12, 9
        G, c = mr.best_gaussian_generator(n, k, draws=10, rng=rng)[0], 1
    rep = mr.condition_numbers(G, k, columns_per_worker=c)
    assert decode_error(G, k, c, rep.worst_set, rng) < 1e-9


def test_real_vandermonde_is_documented_unstable(rng):
    n, k = 31, 29
    G = mr.real_vandermonde(n, k)
    rep = mr.condition_numbers(G, k)
    assert rep.worst > 1e12
    err = decode_error(G, k, 1, rep.worst_set, rng)
    assert err > 1e-9 > decode_error(mr.chebyshev_vandermonde(n, k), k, 1, rep.worst_set, rng)


def test_circulant_encode_decode_all_sets(rng):
    n, k, q = 5, 3, 5
    data = rng.standard_normal((k, q - 1, 6))
    blocks = mr.circulant_zero_sum(data)
    assert np.allclose(blocks.sum(axis=1), 0)
    coded = mr.circulant_encode(blocks, n)
    # additions only; equal to sum_i P^(i j) A_i with the generator's blocks (spec §5.3)
    G = mr.circulant_generator(n, k, q)
    for j in range(n):
        want = sum(G[q * i:q * i + q, q * j:q * j + q] @ blocks[i] for i in range(k))
        assert np.array_equal(coded[j], want)
    for S in itertools.combinations(range(n), k):
        z = mr.circulant_decode(coded[list(S)], S, k)
        assert np.linalg.norm(z - blocks) / np.linalg.norm(blocks) < 1e-12


def test_circulant_decode_default_size(rng):
    n, k = 31, 29
    blocks = mr.circulant_zero_sum(rng.standard_normal((k, n - 1, 4)))
    coded = mr.circulant_encode(blocks, n)
    S = mr.circulant_condition_numbers(n, k).worst_set
    z = mr.circulant_decode(coded[list(S)], S, k)
    assert np.linalg.norm(z - blocks) / np.linalg.norm(blocks) < 1e-9
    with pytest.raises(NotEnoughShardsError):
        mr.circulant_decode(coded[:2], [0, 1], k)


def test_matmul_codes_decode(rng):
    n, ka, kb = 11, 4, 2
    K = ka * kb
    for G, c in [(mr.polynomial_code_generator(n, ka, kb, kind="complex"), 1),
                 (mr.rotation_matmul_generator(n, ka, kb), 4),
                 (mr.orthopoly_generator(n, ka, kb), 1)]:
        rep = mr.condition_numbers(G, K, columns_per_worker=c)
        assert decode_error(G, K, c, rep.worst_set, rng) < 1e-9
