"""Reproduction for gradient coding (:ref:`gradient-reproduction`):

(a) approximation error versus failure probability p for the PG(2, 9) assignment
    (91 x 91) and the (40, 20, 3, 6) bi-regular graph (workers = the 40 left
    vertices: the paper's choice is unknown), m = 2: the constrained-random scheme
    (least-squares and fixed unbiased decoders), the vertical-stacking baseline
    (same two decoders), the exact expected fixed-decoder error and :ref:`the lower bound
    <gradient-lower-bound>` (its mean over the same failure draws).  Errors are per coordinate:
    sum_u ||B_F^T w_u - t_u||^2 / (m N), averaged over i.i.d. Bernoulli(p) draws.
(b) training: logistic regression (NumPy) on synthetic two-component Gaussian-mixture
    data generated in the run, under i.i.d. Bernoulli(p) worker failures.  Exact codes
    (FRC, CRC, cyclic MDS, Ye-Abbe m = 2) wait for the first n - s workers (the
    failed ones count as stragglers; when more than s fail, the master waits for
    enough of them) and match full gradient descent; the approximate codes use only
    the survivors with the unbiased fixed decoder (and the stochastic GC).

``run(...)`` returns the three tables; ``fastcode simulate gradient`` prints them
(and plots with ``--plot FILE.png`` when matplotlib is installed).
"""
import time

import numpy as np

from fastcode._progress import Progress
from fastcode._util.tables import Table, by_name, spec_cell
from fastcode.repro.cli import (Output, count, optional_count, probability, draws_with_pyplot, random_seed,
                                save_figure)
from fastcode.codes import (ApproxCommEfficient, CommEfficient, CyclicMDS, CyclicRepetition,
                            FractionalRepetition, StackedApprox, StochasticGC)
from fastcode.codes.designs import projective_plane
from fastcode.codes.gradient_approx import biregular_assignment

#: The reproduction's name: ``fastcode simulate NAME`` and the registry key.
NAME = "gradient"
#: One line: the help of ``fastcode simulate NAME``.
SUMMARY = "Gradient codes: approximation error vs failure probability, and training under failures."
OUTPUT = Output(footer="total {seconds:.1f} s", plot_written="\nfigure written to {path}",
                plot_before_footer=True, plot_failure_status=0)

P_GRID = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
TRIALS = 200
ITERS = 60
P_TRAIN = 0.2
SEED = 0

_CELL = spec_cell(".4g")


def _dict_table(title, rows, name, plot_data=None):
    """A Table of dict rows that share their keys (in order): floats with 4 significant digits."""
    columns = list(rows[0])
    return Table(title, columns, [tuple(r[c] for c in columns) for r in rows], cell=_CELL,
                 name=name, plot_data=plot_data)


# ---- (a) error versus p ------------------------------------------------------------------

def error_vs_p(assignment, m=2, ps=P_GRID, trials=TRIALS, rng=None, null_scale=1.0, title="",
               name="error"):
    """A Table of columns p, proposed_opt, proposed_fixed, proposed_expected, stacked_opt,
    stacked_fixed, lower_bound: per-coordinate errors averaged over ``trials`` Bernoulli(p) draws."""
    rng = np.random.default_rng(rng)
    prop = ApproxCommEfficient(assignment, m=m, rng=rng, null_scale=null_scale)
    stack = StackedApprox(assignment, m=m)
    scale = 1.0 / (m * prop.N)
    rows = []
    for p in ps:
        acc = np.zeros(5)
        for _ in range(trials):
            F = np.flatnonzero(rng.random(prop.n) >= p)
            if len(F) == 0:                      # nothing arrives: error m N for every decoder
                acc += [m * prop.N] * 4 + [m * prop.N]
                continue
            acc += [prop.error(F), prop.error(F, "fixed", p), stack.error(F),
                    stack.error(F, "fixed", p), prop.lower_bound(F)]
        acc *= scale / trials
        rows.append({"p": p, "proposed_opt": acc[0], "proposed_fixed": acc[1],
                     "proposed_expected": prop.expected_fixed_error(p) * scale,
                     "stacked_opt": acc[2], "stacked_fixed": acc[3], "lower_bound": acc[4]})
    return _dict_table(title, rows, name)


# ---- (b) training ------------------------------------------------------------------------

def make_data(samples, features, rng):
    """Two-component Gaussian mixture (Tandon et al.'s artificial data): labels +-1."""
    y = rng.choice([-1.0, 1.0], size=samples)
    mu = rng.standard_normal(features) / np.sqrt(features) * 1.5
    X = rng.standard_normal((samples, features)) + y[:, None] * mu[None, :]
    return X, y


def _loss(X, y, theta, lam):
    z = y * (X @ theta)
    return float(np.mean(np.logaddexp(0.0, -z)) + 0.5 * lam * theta @ theta)


def _part_gradients(X, y, theta, parts):
    """g_j = gradient of sum_{x in part j} log(1 + exp(-y x.theta)) / samples, (N, d)."""
    z = y * (X @ theta)
    coef = -y / (1.0 + np.exp(z)) / len(y)                # d/dtheta per sample, scaled
    return np.stack([coef[idx] @ X[idx] for idx in parts])


def train(scheme, X, y, iters, p, rng, lr=1.0, lam=1e-3):
    """Gradient descent with a coded gradient.  scheme: (name, code, kind) with kind
    "full" | "exact" | "approx".  Returns (losses, theta, waits)."""
    name, code, kind = scheme
    d = X.shape[1]
    theta = np.zeros(d)
    N = code.N if code is not None else 1
    parts = np.array_split(np.arange(len(y)), N)
    n = code.n if code is not None else 1
    losses, waits = [], 0
    for _ in range(iters):
        losses.append(_loss(X, y, theta, lam))
        G = _part_gradients(X, y, theta, parts)
        if kind == "full":
            g = G.sum(axis=0)
        else:
            alive = rng.random(n) >= p
            Y = code.encode_all(G)
            if kind == "exact":
                F = list(np.flatnonzero(alive))
                if not code.can_decode(F):       # wait for slow ones, in random order,
                    waits += 1                   # until the code can decode (FRC: every group)
                    for i in rng.permutation(np.flatnonzero(~alive)):
                        F.append(int(i))
                        if code.can_decode(F):
                            break
                g = code.decode(Y[F], F)[:d]
            else:
                F = np.flatnonzero(alive)
                g = code.decode(Y[F], F, decoder="fixed", p=p)[:d] if len(F) else np.zeros(d)
        theta = theta - lr * (g + lam * theta)
    losses.append(_loss(X, y, theta, lam))
    return losses, theta, waits


def training_schemes(n=12, s=3, rng=None):
    rng = np.random.default_rng(rng)
    return [
        ("full GD", None, "full"),
        (f"FRC n={n} s={s}", FractionalRepetition(n, s), "exact"),
        (f"CRC n={n} s={s}", CyclicRepetition(n, s, rng=rng, draws=4), "exact"),
        (f"cyclic MDS n={n} s={s}", CyclicMDS(n, s), "exact"),
        (f"Ye-Abbe n={n} s={s} m=2", CommEfficient(n, s, 2), "exact"),
        ("approx PG(2,3) m=2 fixed", ApproxCommEfficient(projective_plane(3), m=2, rng=rng), "approx"),
        ("stochastic GC PG(2,3)", None, "sgc"),
    ]


def training_table(iters=ITERS, p=P_TRAIN, samples=4000, features=40, rng=None, progress=None,
                   title=""):
    """A Table, one row per training scheme (losses, distance to full gradient descent, rounds
    waited, seconds); its ``plot_data["curves"]`` maps each scheme to its loss per iteration.
    ``progress``: a fastcode._progress.Progress told of each trained scheme."""
    rng = np.random.default_rng(rng)
    X, y = make_data(samples, features, rng)
    rows, curves = [], {}
    full_theta = None
    for name, code, kind in training_schemes(rng=rng):
        if kind == "sgc":
            code, kind = StochasticGC(projective_plane(3), p), "approx"
        t0 = time.perf_counter()
        losses, theta, waits = train((name, code, kind), X, y, iters, p, rng)
        if kind == "full":
            full_theta = theta
        curves[name] = losses
        dev = float(np.max(np.abs(theta - full_theta)))
        rows.append({"scheme": name, "loss_0": losses[0], f"loss_{iters // 2}": losses[iters // 2],
                     f"loss_{iters}": losses[-1], "max|theta - theta_full|": dev,
                     "rounds waited": waits, "seconds": time.perf_counter() - t0})
        if progress is not None:
            progress.note(f"  trained {name}: final loss {losses[-1]:.5f}")
    return _dict_table(title, rows, "training", plot_data={"curves": curves})


# ---- driver --------------------------------------------------------------------------

def add_arguments(parser):
    """The options of ``fastcode simulate gradient``."""
    parser.add_argument("--trials", type=count, default=TRIALS, help="failure draws per p (default 200)")
    parser.add_argument("--iters", type=optional_count, default=ITERS,
                        help="training iterations (default 60)")
    parser.add_argument("--p-train", type=probability, default=P_TRAIN,
                        help="failure probability in training")
    parser.add_argument("--seed", type=random_seed, default=SEED)
    parser.add_argument("--plot", metavar="FILE.png", help="save the figures (needs matplotlib)")
    parser.add_argument("--quiet", action="store_true", help="no progress messages")


def run(trials=TRIALS, iters=ITERS, p_train=P_TRAIN, seed=SEED, quiet=True):
    """The tables ``pg29`` and ``biregular`` (error versus p) and ``training``.  Unless
    ``quiet``, each part is announced on stderr when it is a terminal."""
    rng = np.random.default_rng(seed)
    progress = Progress(NAME, enabled=False if quiet else None)
    progress.note("(a) PG(2,9), m=2 ...")
    pg29 = error_vs_p(projective_plane(9), trials=trials, rng=rng, name="pg29",
                      title="(a) approximation error per coordinate vs failure probability p "
                            f"(mean over {trials} Bernoulli draws; m = 2)\n\n"
                            "PG(2,9) assignment, 91 workers x 91 parts:")
    progress.note("(a) (40,20,3,6) bi-regular, m=2 ...")
    biregular = error_vs_p(biregular_assignment(workers="left"), trials=trials, rng=rng,
                           name="biregular",
                           title="(40,20,3,6) bi-regular graph, 40 workers (left side) x 20 parts:")
    progress.note(f"(b) training, p={p_train} ...")
    training = training_table(iters=iters, p=p_train, rng=rng, progress=progress,
                              title=f"(b) logistic regression, p = {p_train}, gradient descent, lr = 1:")
    return [pg29, biregular, training]


PLOT_MISSING = "--plot needs matplotlib (pip install 'fastcode[plot]'); tables printed only"


@draws_with_pyplot(PLOT_MISSING)
def plot(plt, tables, path):
    """Error versus p of both assignments and the training losses, into ``path``; returns
    None, or why not (matplotlib missing)."""
    by = by_name(tables)
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    for ax, key, title in ((axes[0], "pg29", "PG(2,9), m=2"),
                           (axes[1], "biregular", "(40,20,3,6) bi-regular, m=2")):
        t = by[key]
        for col, style in (("proposed_opt", "o-"), ("proposed_fixed", "s-"),
                           ("proposed_expected", "k--"), ("stacked_opt", "o:"),
                           ("stacked_fixed", "s:"), ("lower_bound", "x-.")):
            ax.semilogy(t.column("p"), [max(v, 1e-12) for v in t.column(col)], style, label=col)
        ax.set_xlabel("failure probability p")
        ax.set_ylabel("error per coordinate")
        ax.set_title(title)
        ax.legend(fontsize=7)
    for name, losses in by["training"].plot_data["curves"].items():
        axes[2].plot(losses, label=name)
    axes[2].set_xlabel("iteration")
    axes[2].set_ylabel("training loss")
    axes[2].set_title("logistic regression")
    axes[2].legend(fontsize=7)
    save_figure(plt, fig, path, dpi=120)
    return None
