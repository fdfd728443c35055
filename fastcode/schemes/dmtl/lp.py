"""Exact rational answers from SciPy's floating-point LP solver.

``linprog`` (HiGHS) returns float vertices.  The coded schemes need exact
rates (the subpacketisation P is the lcm of their denominators), so a vertex
is rounded to nearby fractions and then *verified exactly* against the
constraints; nothing is trusted without that check.  SciPy is imported
lazily: importing fastcode never requires it.
"""
from fractions import Fraction
import math

from fastcode.errors import LPError

__all__ = ["solve_covering_lp", "rationalize", "lcm_of_denominators"]


def _linprog():
    try:
        from scipy.optimize import linprog
    except ImportError as exc:  # SciPy is a declared dependency; say so if it is missing
        raise ImportError("the coded-DMTL bounds need SciPy (pip install 'scipy>=1.10')") from exc
    return linprog


def rationalize(x, max_den=10**6):
    """Fractions near the floats x, trying small denominators first.

    Returns a list of candidate vectors (smallest denominator bound first); the
    caller keeps the first that passes its exact check."""
    out = []
    for den in (12, 100, 1000, 10**4, max_den):
        cand = [Fraction(float(v)).limit_denominator(den) for v in x]
        if not out or cand != out[-1]:
            out.append(cand)
    return out


def lcm_of_denominators(values):
    """lcm of the denominators of Fractions (1 for an empty list)."""
    return math.lcm(1, *(Fraction(v).denominator for v in values))


def _feasible(R, rows, rhs, upper):
    if any(r < 0 for r in R):
        return False
    if upper is not None and any(r > u for r, u in zip(R, upper)):
        return False
    return all(sum(R[j] for j in row) >= b for row, b in zip(rows, rhs))


def solve_covering_lp(K, rows, rhs, upper=None, balance=True):
    """min sum_j R_j  s.t.  sum_{j in row} R_j >= b for every (row, b), 0 <= R_j <= upper_j.

    ``rows`` is a list of worker-index tuples, ``rhs`` their integer (or
    Fraction) right-hand sides, ``upper`` optional caps.  With ``balance`` a
    second LP picks, among the optimal solutions, one minimising max_j R_j.
    Returns (value: Fraction, rates: list of Fraction) checked exactly;
    raises LPError if infeasible or not exactly recoverable."""
    import numpy as np

    linprog = _linprog()
    rhs = [Fraction(b) for b in rhs]
    A = np.zeros((len(rows), K))
    for i, row in enumerate(rows):
        A[i, list(row)] = 1.0
    b = np.array([float(v) for v in rhs])
    bounds = [(0, None if upper is None else float(u)) for u in (upper or [None] * K)]
    res = linprog(np.ones(K), A_ub=-A if len(rows) else None, b_ub=-b if len(rows) else None,
                  bounds=bounds, method="highs-ds")
    if res.status != 0:
        raise LPError(f"cut-set LP has no solution ({res.message})")
    # the optimum of a 0/1 covering LP with integer rhs is rational with a small denominator
    value = Fraction(float(res.fun)).limit_denominator(10**6)
    candidates = []
    if balance and K > 1:
        # variables (R_0..R_{K-1}, t): min t, R_j <= t, sum R = value, cut-set rows
        c = np.zeros(K + 1)
        c[-1] = 1.0
        A2 = np.zeros((len(rows) + K, K + 1))
        A2[:len(rows), :K] = -A
        A2[len(rows):, :K] = np.eye(K)
        A2[len(rows):, K] = -1.0
        b2 = np.concatenate([-b, np.zeros(K)])
        res2 = linprog(c, A_ub=A2, b_ub=b2, A_eq=np.concatenate([np.ones(K), [0.0]])[None, :],
                       b_eq=[float(value)], bounds=bounds + [(0, None)], method="highs-ds")
        if res2.status == 0:
            candidates += rationalize(res2.x[:K])
    candidates += rationalize(res.x)
    for R in candidates:
        if sum(R) == value and _feasible(R, rows, rhs, upper):
            return value, R
    raise LPError(f"could not recover an exact optimal vertex (LP value ~{res.fun})")
