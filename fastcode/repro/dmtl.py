"""`fastcode simulate dmtl`: coded DMTL and linearly separable computation (:ref:`dmtl-reproduction`).

Sections of the report:

1. loads table: cyclic (K, M) in {(3,2), (4,2), (5,3), (6,3), (8,4)}, MAN placements and random
   heterogeneous placements: cut-set LP bound, closed forms, achieved uplink/downlink, baselines,
   and whether every worker decoded every missing value exactly (one real iteration over GF(p));
2. the worked GF(7) example, value by value, plus an exhaustive check over all 7^6 inputs;
3. separable computation: cost max(N_r, K_c) and decodability over every N_r-subset, and the
   heterogeneous table;
4. a coded DMTL training run (in-process, runtime protocol): exact models, bytes per iteration.
"""
from __future__ import annotations

import argparse
import itertools
import math
from fractions import Fraction
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from fastcode._util.tables import Table
from fastcode.errors import InvalidArgumentError, SingularMatrixError
from fastcode.fields import PrimeField
from fastcode.repro.cli import (Output, PathLike, count, optional_count, prime_at_least, draws_with_pyplot,
                                random_seed, save_figure)
from fastcode.schemes.dmtl.training import (
    DMTLTraining,
    fit_scale,
    make_mtl_job,
    reference_training,
    run_inprocess,
    run_on_cluster,
)
from fastcode.schemes.dmtl import DMTLScheme, gf7_example, merge_values
from fastcode.schemes.dmtl.bounds import cyclic_bounds, dmtl_bounds, man_bounds
from fastcode.schemes.dmtl.placement import (
    cyclic_placement,
    man_placement,
    placement_sets,
    random_placement,
)
from fastcode.errors import LPError
from fastcode.schemes.dmtl.separable import (
    SeparableComputation,
    heterogeneous_separable_design,
    separable_bounds,
)

__all__ = ["NAME", "SUMMARY", "MIN_PRIME", "CYCLIC_CASES", "MAN_CASES", "loads_rows", "loads_table",
           "gf7_walkthrough", "dmtl_report", "add_arguments", "run", "plot"]

#: The reproduction's name: ``fastcode simulate NAME`` and the registry key.
NAME = "dmtl"
#: One line: the help of ``fastcode simulate NAME``.
SUMMARY = ("Coded DMTL: cut-set bounds vs achieved loads, GF(7) example, separable computation, "
           "training demo.")
OUTPUT = Output(footer="all checks passed: {checks}  ({seconds:.1f} s)")

MIN_PRIME = 17
"""Smallest field prime of the report.  Its designs (DMTL loads, separable computation,
heterogeneous extension) are random and redrawn until they decode (up to DESIGN_TRIES);
a draw fails with probability about degree / p.  Measured at p = 17, the worst case
(separable (6,3,4)) succeeds in 30% of draws, so all DESIGN_TRIES fail with probability
0.7^100 ~ 3e-16; at p = 13 a draw succeeds in 16%, at p = 11 in 8% (0.92^100 ~ 2e-4).
The training part fits its fixed-point scale to any p, and the GF(7) example is fixed."""

DESIGN_TRIES = 100
"""Draws per random design before giving up (only a small p needs more than a few)."""

#: (K, M) of the cyclic placements of the loads table.
CYCLIC_CASES = [(3, 2), (4, 2), (5, 3), (6, 3), (8, 4)]
#: (K, r) of the MAN placements of the loads table.
MAN_CASES = [(4, 2), (5, 2), (5, 3)]
SEPARABLE_CASES = [(4, 2, 1), (4, 2, 2), (4, 2, 3), (4, 2, 4), (5, 3, 2), (5, 3, 3), (5, 3, 5),
                   (6, 3, 4), (6, 4, 2)]
HETEROGENEOUS_SEPARABLE = [
    ("cyclic K=N=3, M=2", cyclic_placement(3, 2)),
    ("K=4, N=5, {0123},{12},{34},{024}", [[1, 1, 1, 1, 0], [0, 1, 1, 0, 0], [0, 0, 0, 1, 1], [1, 0, 1, 0, 1]]),
    ("K=5, N=6, {012},{23},{3450},{51},{024}",
     [[1, 1, 1, 0, 0, 0], [0, 0, 1, 1, 0, 0], [1, 0, 0, 1, 1, 1], [0, 1, 0, 0, 0, 1], [1, 0, 1, 0, 1, 0]]),
]


def _f(x):
    """A Fraction as a short string: 8/3 (2.667)."""
    return str(x) if x.denominator == 1 else f"{x} ({float(x):.3g})"


def _sets(Z):
    return "{" + "},{".join("".join(map(str, s)) if Z.shape[1] <= 10 else ",".join(map(str, s))
                            for s in placement_sets(Z)) + "}"


def loads_rows(field: PrimeField, rng: np.random.Generator, B: int, n_random: int) -> List[Dict[str, Any]]:
    """One dict per placement: bounds, achieved loads, baselines, decodability.

    The placements are the cyclic ones of ``CYCLIC_CASES``, the MAN ones of
    ``MAN_CASES`` and ``n_random`` random heterogeneous ones.  For each, a
    scheme is designed over ``field`` (redrawn up to ``DESIGN_TRIES`` times)
    and one real iteration on random values of length ``B`` checks that every
    worker decodes every missing value exactly (and with the two-stage
    decoder where every worker supports it).

    Parameters
    ----------
    field : PrimeField
        The field GF(p) of the values.
    rng : numpy.random.Generator
        Draws the random placements, designs and values.
    B : int
        Value length (symbols) of the checking iteration.
    n_random : int
        Number of random heterogeneous placements.

    Returns
    -------
    list of dict
        Keys ``name``, ``Z`` (placement matrix), ``bounds`` (cut-set LP
        bounds), ``closed`` (closed forms, or None), ``scheme``, ``loads``
        ((uplink, downlink) as Fractions), ``base`` (baselines), ``ok`` (one
        bool per worker) and ``two_stage`` (bool, or None when not supported).

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.repro.dmtl import loads_rows
    >>> rows = loads_rows(PrimeField(2**31 - 1), np.random.default_rng(0), B=2, n_random=0)
    >>> rows[0]["name"], [str(x) for x in rows[0]["loads"]], all(rows[0]["ok"])
    ('cyclic K=3 M=2', ['3/2', '1'], True)
    """
    cases: List[Tuple[str, np.ndarray, Optional[Tuple[Fraction, Fraction]]]] = [
        (f"cyclic K={K} M={M}", cyclic_placement(K, M), cyclic_bounds(K, M)) for K, M in CYCLIC_CASES]
    cases += [(f"MAN K={K} r={r} (N={math.comb(K, r)})", man_placement(K, r), man_bounds(K, r))
              for K, r in MAN_CASES]
    for i in range(n_random):
        K = int(rng.integers(4, 7))
        N = int(rng.integers(K - 1, K + 3))
        Z = random_placement(K, N, rng, density=float(rng.uniform(0.3, 0.6)))
        cases.append((f"random K={K} N={N} {_sets(Z)}", Z, None))
    rows = []
    for name, Z, closed in cases:
        b = dmtl_bounds(Z)
        s = DMTLScheme.design(Z, field, rng, max_tries=DESIGN_TRIES)
        values = field.random((s.N, B), rng)
        _, _, dec = s.run_iteration(values)
        ok = [bool(np.array_equal(d, values[s.wanted(k)])) for k, d in enumerate(dec)]
        if s.K and all(s.supports_two_stage(k) for k in range(s.K)):
            _, _, dec2 = s.run_iteration(values, two_stage=True)
            ok2 = all(np.array_equal(d, values[s.wanted(k)]) for k, d in enumerate(dec2))
        else:
            ok2 = None
        rows.append({"name": name, "Z": Z, "bounds": b, "closed": closed, "scheme": s,
                     "loads": s.loads(), "base": s.baselines(), "ok": ok, "two_stage": ok2})
    return rows


LOADS_COLUMNS = ("placement", "lp_uplink", "closed_uplink", "downlink", "meets_bound", "uplink",
                 "achieved_downlink", "P", "uncoded", "server_mds", "decodable")


def loads_table(rows: Sequence[Dict[str, Any]], title: str = "") -> Table:
    """The rows of :func:`loads_rows` as a Table.

    Columns: the LP bound and closed form of the uplink, the downlink bound,
    whether the achieved (uplink, downlink) meets (LP, max miss), the
    achieved loads, P, the baselines (uplink, downlink) and decodability.

    Parameters
    ----------
    rows : sequence of dict
        From :func:`loads_rows`.
    title : str, default ""
        Text above the table.

    Returns
    -------
    Table
        Named "loads", columns ``LOADS_COLUMNS``; ``failures`` counts
        placements that did not decode or did not meet the bound.

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.repro.dmtl import loads_rows, loads_table
    >>> rows = loads_rows(PrimeField(2**31 - 1), np.random.default_rng(0), B=2, n_random=0)
    >>> print(loads_table(rows[:2]).format())
    placement                                     LP R_u*      closed   R_d*  | achieved R_u   R_d   P  | uncoded  srv+MDS | decodable
    ----------------------------------------------------------------------------------------------------------------------------------
    cyclic K=3 M=2                                    3/2      3/2     1  | =     3/2      1   2  |     3+3      3+1 | yes (3/3), 2-stage yes
    cyclic K=4 M=2                                    8/3      8/3     2  | =     8/3      2   3  |     4+4      4+2 | yes (4/4), 2-stage yes
    closed: ...
    """
    out, failures = [], 0
    for r in rows:
        b, (Ru, Rd) = r["bounds"], r["loads"]
        closed = r["closed"][0] if r["closed"] is not None else b.closed_form_uplink
        dec = "yes" if all(r["ok"]) else "NO (workers " + ",".join(
            str(k) for k, o in enumerate(r["ok"]) if not o) + ")"
        dec += f" ({len(r['ok'])}/{len(r['ok'])})" if all(r["ok"]) else ""
        if r["two_stage"] is not None:
            dec += ", 2-stage yes" if r["two_stage"] else ", 2-stage NO"
        meets = (Ru, Rd) == (b.lp_uplink, b.downlink)
        failures += not (all(r["ok"]) and r["two_stage"] is not False and meets)
        out.append((r["name"], b.lp_uplink, closed, b.downlink, meets, Ru, Rd, r["scheme"].P,
                    r["base"]["uncoded"], r["base"]["server_mds"], dec))
    return Table(title, LOADS_COLUMNS, out,
                 ["closed: cyclic K(K-M)/(K-1), MAN N(K-r)/(K-1), random max(max miss, sum miss/(K-1)); "
                  "'=': achieved (R_u, R_d) equals (LP, max miss); baselines as R_u+R_d"],
                 layout=_loads_layout, name="loads", failures=failures)


def _loads_layout(table):
    head = ("placement".ljust(44) + "  LP R_u*      closed   R_d*  | achieved R_u   R_d   P  "
            "| uncoded  srv+MDS | decodable")
    out = [table.title, head, "-" * len(head)] if table.title else [head, "-" * len(head)]
    for name, lp, closed, down, meets, Ru, Rd, P, unc, srv, dec in table.rows:
        name = name if len(name) <= 44 else name[:41] + "..."
        out.append(f"{name:44s}  {str(lp):>7s}  {str(closed):>7s}  {down:>4d}  | "
                   f"{'=' if meets else '!'} {str(Ru):>7s}  {str(Rd):>5s}  {P:>2d}  | "
                   f"{str(unc[0]) + '+' + str(unc[1]):>7s}  {str(srv[0]) + '+' + str(srv[1]):>7s} | {dec}")
    return "\n".join(out + table.notes)


def gf7_walkthrough() -> Tuple[List[str], bool]:
    """The worked example of :ref:`dmtl-gf7` as printable lines (a fixed input, then all 7^6 inputs).

    GF(7), K = N = 3 workers, cyclic placement M = 2: the uplink and downlink
    values of one fixed input, each worker's decoding by hand and by the
    scheme, then every one of the 7^6 inputs decoded (direct and two-stage).

    Returns
    -------
    lines : list of str
        The report section.
    ok : bool
        True when every decoding (by hand and by the scheme) was exact.

    Examples
    --------
    >>> from fastcode.repro.dmtl import gf7_walkthrough
    >>> lines, ok = gf7_walkthrough()
    >>> ok
    True
    >>> print(lines[2])
      uplink (R_u = 3/2): X_0 = v_0^a + v_1^b = 3 + 1 = 4, X_1 = v_1^a + v_2^b = 6 + 4 = 3, X_2 = v_2^a + v_0^b = 2 + 5 = 0
    >>> print(lines[-1])
      total communication 3/2 + 1 = 5/2; server decodes + MDS 4; uncoded 6
    """
    s = gf7_example()
    F = s.field
    v = np.array([[3, 5], [6, 1], [2, 4]], dtype=np.uint32)   # v_n = (v_n^a, v_n^b)
    X, Y, dec = s.run_iteration(v)
    x = [int(X[j][0, 0]) for j in range(3)]
    out = ["GF(7), K = N = 3, cyclic M = 2 (worker 0: {0,1}, 1: {1,2}, 2: {2,0}), P = 2: v_n = (v_n^a, v_n^b)",
           f"  values: v_0 = ({v[0, 0]}, {v[0, 1]}), v_1 = ({v[1, 0]}, {v[1, 1]}), v_2 = ({v[2, 0]}, {v[2, 1]})",
           f"  uplink (R_u = 3/2): X_0 = v_0^a + v_1^b = {v[0, 0]} + {v[1, 1]} = {x[0]}, "
           f"X_1 = v_1^a + v_2^b = {v[1, 0]} + {v[2, 1]} = {x[1]}, X_2 = v_2^a + v_0^b = {v[2, 0]} + {v[0, 1]} = {x[2]}",
           f"  downlink (R_d = 1), A = [[1,1,1],[1,2,3]]: Y_0 = X_0 + X_1 + X_2 = {int(Y[0, 0])}, "
           f"Y_1 = X_0 + 2X_1 + 3X_2 = {int(Y[1, 0])}"]
    # per worker: the 2x2 system on the other two uplinks, then back-substitution (Python ints:
    # uint32 differences would wrap)
    w = v.astype(int).tolist()
    back = {0: [("v_2^b", "X_1 - v_1^a", (x[1] - w[1][0]) % 7), ("v_2^a", "X_2 - v_0^b", (x[2] - w[0][1]) % 7)],
            1: [("v_0^b", "X_2 - v_2^a", (x[2] - w[2][0]) % 7), ("v_0^a", "X_0 - v_1^b", (x[0] - w[1][1]) % 7)],
            2: [("v_1^a", "X_1 - v_2^b", (x[1] - w[2][1]) % 7), ("v_1^b", "X_0 - v_0^a", (x[0] - w[0][0]) % 7)]}
    hand_ok = True
    for k in range(3):
        others = [j for j in range(3) if j != k]
        Ak = s.A[:, others]
        rhs = [(int(Y[i, 0]) - int(s.A[i, k]) * x[k]) % 7 for i in range(2)]
        sol = F.solve(Ak, np.array(rhs, dtype=np.uint32))
        subs = ", ".join(f"{n} = {e} = {val}" for n, e, val in back[k])
        lost = [n for n in range(3) if not s.Z[k, n]][0]
        out.append(f"  worker {k} (knows X_{k} = {x[k]}): {Ak.tolist()} [X_{others[0]}; X_{others[1]}] = "
                   f"[Y_0 - {int(s.A[0, k])}X_{k}; Y_1 - {int(s.A[1, k])}X_{k}] = {rhs}, det {F.det(Ak)} -> "
                   f"X_{others[0]} = {int(sol[0])}, X_{others[1]} = {int(sol[1])}; {subs}; "
                   f"decoded v_{lost} = {tuple(int(c) for c in dec[k][0])} "
                   f"{'ok' if np.array_equal(dec[k][0], v[lost]) else 'WRONG'}")
        by_hand = {name: val for name, _, val in back[k]}
        hand_ok &= [by_hand[f"v_{lost}^a"], by_hand[f"v_{lost}^b"]] == w[lost]
        hand_ok &= bool(np.array_equal(dec[k][0], v[lost]))
    # every input at once: the 7^6 assignments are the columns of the sub-value matrix
    sub = np.indices((7,) * 6).reshape(6, -1).astype(np.uint32)
    values = merge_values(sub, 2, 2 * sub.shape[1])
    _, _, d1 = s.run_iteration(values)
    _, _, d2 = s.run_iteration(values, two_stage=True)
    ok = all(np.array_equal(d[k], values[s.wanted(k)]) for d in (d1, d2) for k in range(3))
    Ru, Rd = s.loads()
    base = s.baselines()
    out.append(f"  exhaustive: all {sub.shape[1]} inputs in GF(7)^6 decoded exactly by every worker "
               f"(direct and two-stage): {'yes' if ok else 'NO'}")
    out.append(f"  total communication {Ru} + {Rd} = {Ru + Rd}; server decodes + MDS "
               f"{sum(base['server_mds'])}; uncoded {sum(base['uncoded'])}")
    return out, ok and hand_ok


SEPARABLE_COLUMNS = ("N", "N_r", "K_c", "M", "P", "t", "cost", "bound", "subsets", "decodable")


def _separable_table(field, rng, title):
    """Separable computation: one row per design of SEPARABLE_CASES (decodable from every
    N_r-subset?); the heterogeneous extension's bounds follow as notes."""
    rows, notes = [], []
    all_ok = True
    for N, N_r, K_c in SEPARABLE_CASES:
        s = SeparableComputation(N, N_r, K_c, field=field, rng=rng, max_tries=DESIGN_TRIES)
        B = 3 * s.P
        W = field.random((N, B), rng)
        want = field.matmul(s.F, W)
        ans = {n: s.encode(n, W[s.datasets(n)]) for n in range(N)}
        subsets = list(itertools.combinations(range(N), N_r))
        ok = all(np.array_equal(s.decode({n: ans[n] for n in S}, B=B), want) for S in subsets)
        all_ok &= ok
        rows.append((N, N_r, K_c, s.M, s.P, s.t, s.communication_cost(), max(N_r, K_c),
                     len(subsets), ok))
    notes.append("heterogeneous extension (K workers, N datasets, no stragglers): cut-set bound per K_c, "
               "and where the capped construction meets it")
    for name, Z in HETEROGENEOUS_SEPARABLE:
        Z = np.asarray(Z, dtype=bool)
        N = Z.shape[1]
        bounds, meets = [], []
        for K_c in range(1, N + 1):
            bounds.append(str(separable_bounds(Z, K_c)[0]))
            try:
                F, d = _random_heterogeneous_design(Z, K_c, field, rng)
            except LPError:
                continue
            V = field.random((N, 2 * d.P), rng)
            X = [d.encode(j, V[np.flatnonzero(Z[j])]) for j in range(Z.shape[0])]
            exact = np.array_equal(d.decode(X, 2 * d.P), field.matmul(F, V))
            all_ok &= exact
            if d.meets_bound and exact:
                meets.append(K_c)
        notes.append(f"  {name:40s} bounds K_c=1..{N}: {', '.join(bounds):24s} meets for K_c in {meets}")
    return Table(title, SEPARABLE_COLUMNS, rows, notes, layout=_separable_layout, name="separable",
                 failures=not all_ok)


def _separable_layout(table):
    out = [table.title,
           "(N workers, K = N datasets, any N_r responders, K_c combinations; cost normalised by B)",
           "  N  N_r  K_c  M  P  t  cost  max(N_r,K_c)  subsets  decodable"]
    for N, N_r, K_c, M, P, t, cost, bound, subsets, ok in table.rows:
        out.append(f"  {N}  {N_r:>3d}  {K_c:>3d}  {M}  {P}  {t}  {str(cost):>4s}  "
                   f"{bound:>12d}  {subsets:>7d}  {'yes' if ok else 'NO'}")
    return "\n".join(out + table.notes)


def _random_heterogeneous_design(Z, K_c, field, rng, tries=DESIGN_TRIES):
    """(F, design) for a random demand F of K_c rows.  A demand with a singular minor
    F[:, E_S] admits no design (likely when p is small), so F is redrawn with the design."""
    for attempt in range(tries):
        F = field.random((K_c, Z.shape[1]), rng)
        try:
            return F, heterogeneous_separable_design(Z, F, field, rng)
        except SingularMatrixError:
            if attempt == tries - 1:
                raise


def _cluster_run(scheme, job, iterations, backend):
    """The training on a LocalCluster of K workers: (models, mean round seconds)."""
    from fastcode.runtime import LocalCluster
    with LocalCluster(scheme.n_workers, backend=backend) as cluster:
        out = run_on_cluster(cluster, scheme, job, iterations)
    return out["models"], float(np.mean(out["round_times"]))


def _training_table(field, rng, iterations, d, backend, title):
    """The training run as a report section: its lines are the notes of a column-less Table."""
    lines, ok = _training_lines(field, rng, iterations, d, backend)
    return Table(title, (), notes=lines, name="training", failures=not ok)


def _training_lines(field, rng, iterations, d, backend="process"):
    Z = cyclic_placement(4, 2)
    job = make_mtl_job(4, d=d, rng=rng)
    default_scale = job.scale
    job.scale = fit_scale(job, iterations, field)       # a small p gets a coarser fixed point
    scheme = DMTLTraining(Z, field, rng)
    res = run_inprocess(scheme, job, iterations)
    ref = reference_training(job, iterations, field)
    exact_models = np.array_equal(res["models"], ref)
    cluster_lines, exact_cluster = [], True
    if backend != "none":
        models, round_s = _cluster_run(scheme, job, iterations, backend)
        exact_cluster = bool(np.array_equal(models, ref))
        cluster_lines = [f"  on a LocalCluster of 4 {backend} workers (state kept on each worker, one round "
                         f"per iteration, {round_s * 1e3:.1f} ms/round): models equal to the centralised "
                         f"run: {'yes' if exact_cluster else 'NO'}"]
    exact_replicas = all(np.array_equal(r, ref) for r in res["replicas"])

    def loss(W):
        return np.mean([np.mean((job.X[n] @ W[n] - job.y[n]) ** 2) for n in range(4)])

    up, down = res["bytes_up"][0], res["bytes_down"][0]
    unc, srv = res["baselines"]["uncoded"], res["baselines"]["server_mds"]
    c = scheme.code
    out = [f"cyclic K=4 M=2, one task per worker, linear models of d={d} (B = {d} symbols of GF(p), "
           f"4 bytes each), P={c.P}, {iterations} iterations"
           + ("" if job.scale == default_scale else f", fixed point 1/{job.scale:g} (to fit GF(p))"),
           "  update: w_k <- w_k - lr sum_n softmax_n(-|g_k - g_n|^2/tau) g_n (needs every g_n individually)",
           f"  mean task loss {loss(job.W0):.4f} -> {loss(ref):.4f}; "
           f"models equal to the centralised uncoded run: {'yes' if exact_models else 'NO'}; "
           f"all {len(res['replicas'])} workers' replicas identical: {'yes' if exact_replicas else 'NO'}",
           "  bytes per iteration      uplink (total)  downlink (broadcast)  total",
           f"    coded (this scheme)   {up:>14d}  {down:>20d}  {up + down:>5d}",
           f"    server decodes + MDS  {srv[0]:>14d}  {srv[1]:>20d}  {sum(srv):>5d}",
           f"    uncoded               {unc[0]:>14d}  {unc[1]:>20d}  {sum(unc):>5d}",
           "  (coded bytes measured on the arrays exchanged; baselines = their loads x B x 4 bytes)"]
    return out + cluster_lines, exact_models and exact_replicas and exact_cluster


SEED = 0
PRIME = 2**31 - 1
B = 12
N_RANDOM = 4
ITERATIONS = 10
D = 48
BACKEND = "process"


def run(seed: int = SEED, prime: int = PRIME, B: int = B, n_random: int = N_RANDOM,
        iterations: int = ITERATIONS, d: int = D, backend: str = BACKEND) -> List[Table]:
    """The report's four sections over GF(``prime``), as Tables.

    Parameters
    ----------
    seed : int, default SEED
        Random seed of every section.
    prime : int, default 2^31 - 1
        The field prime, >= MIN_PRIME.
    B : int, default 12
        Value length of the checking iteration.
    n_random : int, default 4
        Random heterogeneous placements.
    iterations : int, default 10
        Iterations of the training run.
    d : int, default 48
        Model length of the training run.
    backend : {"process", "thread", "none"}, default "process"
        Workers of the LocalCluster training run ("none" skips it).

    Returns
    -------
    list of Table
        Named ``loads``, ``gf7``, ``separable`` and ``training``; each counts
        its failed checks in ``failures``.

    Raises
    ------
    InvalidArgumentError
        ``prime`` below MIN_PRIME (its random designs rarely decode).

    Examples
    --------
    >>> from fastcode.repro import dmtl
    >>> tables = dmtl.run(B=2, n_random=0, iterations=1, d=4, backend="none")
    >>> [(t.name, t.failures) for t in tables]
    [('loads', 0), ('gf7', 0), ('separable', 0), ('training', 0)]
    """
    if prime < MIN_PRIME:
        raise InvalidArgumentError(f"the report needs a prime p >= {MIN_PRIME} (its random designs "
                                   f"rarely decode over a smaller field), got p={prime}")
    field = PrimeField(prime)
    rng = np.random.default_rng(seed)
    loads = loads_table(loads_rows(field, rng, B, n_random),
                        f"Coded DMTL (Cheng, Wang, Zhang, Wu, arXiv 2507.18025) over {field}, seed {seed}\n\n"
                        f"1. Loads (normalised by B; one real iteration with B = {B} checks every worker)")
    lines, ok = gf7_walkthrough()
    gf7 = Table("2. Worked example over GF(7) (the paper's example)", (), notes=lines, name="gf7",
                failures=not ok)
    separable = _separable_table(field, rng, "3. Distributed linearly separable computation "
                                             "(Wan, Sun, Ji, Caire)")
    training = _training_table(field, rng, iterations, d, backend,
                               "4. Coded DMTL training (in process, then on the local runtime)")
    return [loads, gf7, separable, training]


def dmtl_report(seed: int = SEED, p: int = PRIME, B: int = B, n_random: int = N_RANDOM,
                iterations: int = ITERATIONS, d: int = D, backend: str = BACKEND) -> Tuple[str, bool]:
    """The whole report as (text, all_checks_passed) over GF(p), p >= MIN_PRIME.

    Parameters
    ----------
    seed, p, B, n_random, iterations, d
        As :func:`run` (``p`` is its ``prime``).
    backend : {"process", "thread", "none"}, default "process"
        Workers of the LocalCluster training run ("none" skips it).

    Returns
    -------
    text : str
        The four sections, separated by blank lines.
    all_checks_passed : bool
        True when no section reports a failed check.

    Examples
    --------
    >>> from fastcode.repro.dmtl import dmtl_report
    >>> text, ok = dmtl_report(B=2, n_random=0, iterations=1, d=4, backend="none")
    >>> ok
    True
    >>> print(text.splitlines()[0])
    Coded DMTL (Cheng, Wang, Zhang, Wu, arXiv 2507.18025) over ...(2147483647), seed 0
    """
    tables = run(seed, p, B, n_random, iterations, d, backend)
    return "\n\n".join(t.format() for t in tables), not any(t.failures for t in tables)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``fastcode simulate dmtl``.

    Their argparse dests are :func:`run`'s keywords.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser to add them to.

    Examples
    --------
    >>> import argparse
    >>> from fastcode.repro import dmtl
    >>> parser = argparse.ArgumentParser(prog="fastcode simulate dmtl")
    >>> dmtl.add_arguments(parser)
    >>> vars(parser.parse_args(["--prime", "65537", "--random", "0", "--backend", "none"]))
    {'seed': 0, 'prime': 65537, 'B': 12, 'n_random': 0, 'iterations': 10, 'plot': None, 'backend': 'none'}
    """
    parser.add_argument("--seed", type=random_seed, default=SEED, help="random seed (default 0)")
    parser.add_argument("--prime", type=prime_at_least(MIN_PRIME), default=PRIME,
                        help="field prime (default 2^31 - 1)")
    parser.add_argument("--B", type=count, default=B,
                        help="value length of the checking iteration (default 12)")
    parser.add_argument("--random", type=optional_count, default=N_RANDOM, dest="n_random",
                        help="random heterogeneous placements (default 4)")
    parser.add_argument("--iterations", type=count, default=ITERATIONS,
                        help="training iterations (default 10)")
    parser.add_argument("--plot", metavar="FILE.png",
                        help="also draw the loads against their bounds to FILE (needs matplotlib)")
    parser.add_argument("--backend", choices=("process", "thread", "none"), default=BACKEND,
                        help="workers of the LocalCluster training run (default process)")


@draws_with_pyplot()
def plot(plt, tables: Sequence[Table], path: PathLike) -> None:
    """The uplink load of each placement: the cut-set LP bound beside the achieved load, into ``path``.

    ``fastcode simulate dmtl --plot FILE`` draws it after the tables.

    Parameters
    ----------
    tables : list of Table
        What :func:`run` returns (only the ``loads`` table is drawn).
    path : str or path
        The figure file; its suffix picks the format.

    Returns
    -------
    str or None
        None, or why no figure was written (matplotlib missing).

    Examples
    --------
    >>> import os, tempfile
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.repro import dmtl
    >>> rows = dmtl.loads_rows(PrimeField(2**31 - 1), np.random.default_rng(0), B=2, n_random=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "dmtl.png")
    ...     problem = dmtl.plot([dmtl.loads_table(rows)], path)
    ...     os.path.exists(path) if problem is None else "matplotlib" in problem
    True
    """
    loads = next(t for t in tables if t.name == "loads")
    names = loads.column("placement")
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(names)), 4.5))
    ax.bar(x - 0.2, [float(v) for v in loads.column("lp_uplink")], width=0.4, label="LP bound R_u*")
    ax.bar(x + 0.2, [float(v) for v in loads.column("uplink")], width=0.4, label="achieved R_u")
    ax.set_xticks(x, [n if len(n) <= 24 else n[:21] + "..." for n in names], rotation=60,
                  ha="right", fontsize=7)
    ax.set_ylabel("uplink load (normalised by B)")
    ax.legend()
    save_figure(plt, fig, path, dpi=120)
    return None
