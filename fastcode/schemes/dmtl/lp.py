"""Exact rational answers from SciPy's floating-point LP solver.

``linprog`` (HiGHS) returns float vertices.  The coded schemes need exact
rates (the subpacketisation P is the lcm of their denominators), so a vertex
is rounded to nearby fractions and then *verified exactly* against the
constraints; nothing is trusted without that check.  SciPy is imported
lazily: importing fastcode never requires it.
"""
from fractions import Fraction
import math
from typing import Iterable, List, Optional, Sequence, Tuple, Union

from fastcode.errors import LPError

__all__ = ["solve_covering_lp", "rationalize", "lcm_of_denominators"]


def _linprog():
    try:
        from scipy.optimize import linprog
    except ImportError as exc:  # SciPy is a declared dependency; say so if it is missing
        raise ImportError("the coded-DMTL bounds need SciPy (pip install 'scipy>=1.10')") from exc
    return linprog


def rationalize(x: Iterable[float], max_den: int = 10**6) -> List[List[Fraction]]:
    """Fractions near the floats x, trying small denominators first.

    Each candidate rounds every entry with ``Fraction.limit_denominator`` at one
    denominator bound (12, 100, 1000, 10^4, then ``max_den``); consecutive equal
    candidates are kept once.

    Parameters
    ----------
    x : iterable of float
        A float vector, e.g. an LP vertex.
    max_den : int, optional
        The last and largest denominator bound (default 10^6).

    Returns
    -------
    list of lists of Fraction
        Candidate vectors, smallest denominator bound first; the caller keeps
        the first that passes its exact check.

    Examples
    --------
    >>> from fastcode.schemes.dmtl.lp import rationalize
    >>> rationalize([2 / 3, 0.25])
    [[Fraction(2, 3), Fraction(1, 4)]]
    >>> [[str(v) for v in cand] for cand in rationalize([1 / 3, 0.1234567])]
    [['1/3', '1/8'], ['1/3', '10/81'], ['1/3', '118383/958903']]
    """
    out: List[List[Fraction]] = []
    for den in (12, 100, 1000, 10**4, max_den):
        cand = [Fraction(float(v)).limit_denominator(den) for v in x]
        if not out or cand != out[-1]:
            out.append(cand)
    return out


def lcm_of_denominators(values: Iterable[Union[int, Fraction]]) -> int:
    """lcm of the denominators of Fractions (1 for an empty list).

    The subpacketisation P of a scheme whose rates are ``values``.

    Parameters
    ----------
    values : iterable of Fraction or int
        Rational numbers.

    Returns
    -------
    int
        The least common multiple of their denominators.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from fastcode.schemes.dmtl.lp import lcm_of_denominators
    >>> lcm_of_denominators([Fraction(1, 2), Fraction(2, 3), 1])
    6
    >>> lcm_of_denominators([])
    1
    """
    return math.lcm(1, *(Fraction(v).denominator for v in values))


def _feasible(R, rows, rhs, upper):
    if any(r < 0 for r in R):
        return False
    if upper is not None and any(r > u for r, u in zip(R, upper)):
        return False
    return all(sum(R[j] for j in row) >= b for row, b in zip(rows, rhs))


def solve_covering_lp(K: int, rows: Sequence[Sequence[int]], rhs: Sequence[Union[int, Fraction]],
                      upper: Optional[Sequence[Union[int, Fraction]]] = None,
                      balance: bool = True) -> Tuple[Fraction, List[Fraction]]:
    """min sum_j R_j  s.t.  sum_{j in row} R_j >= b for every (row, b), 0 <= R_j <= upper_j.

    Solved by SciPy's ``linprog`` (HiGHS dual simplex) in floating point; the
    value and a vertex are then rounded to fractions (``rationalize``) and
    checked exactly against every constraint before being returned.

    Parameters
    ----------
    K : int
        Number of variables R_0..R_{K-1} (workers).
    rows : sequence of sequences of int
        The worker-index tuples of the constraints.
    rhs : sequence of int or Fraction
        Their right-hand sides b, one per row.
    upper : sequence of K int or Fraction, optional
        Caps upper_j on the variables (default: none).
    balance : bool, optional
        With ``balance`` (the default) a second LP picks, among the optimal
        solutions, one minimising max_j R_j.

    Returns
    -------
    value : Fraction
        The optimum sum_j R_j.
    rates : list of K Fraction
        An optimal vector R, checked exactly.

    Raises
    ------
    LPError
        The LP is infeasible or its optimum is not exactly recoverable.
    ImportError
        SciPy is not installed.

    Examples
    --------
    Three workers, each pair must jointly send one value:

    >>> from fastcode.schemes.dmtl.lp import solve_covering_lp
    >>> value, rates = solve_covering_lp(3, [(0, 1), (1, 2), (0, 2)], [1, 1, 1])
    >>> str(value), [str(r) for r in rates]
    ('3/2', ['1/2', '1/2', '1/2'])

    The balanced optimum splits a joint demand evenly:

    >>> value, rates = solve_covering_lp(2, [(0, 1)], [2])
    >>> str(value), [str(r) for r in rates]
    ('2', ['1', '1'])

    Caps can make the LP infeasible:

    >>> solve_covering_lp(2, [(0,)], [2], upper=[1, 1])
    Traceback (most recent call last):
        ...
    fastcode.errors.LPError: cut-set LP has no solution (...)
    """
    import numpy as np

    linprog = _linprog()
    rhs = [Fraction(b) for b in rhs]
    A = np.zeros((len(rows), K))
    for i, row in enumerate(rows):
        A[i, list(row)] = 1.0
    b = np.array([float(v) for v in rhs])
    caps: List[Optional[float]] = [None] * K if not upper else [float(u) for u in upper]
    bounds = [(0, cap) for cap in caps]
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
