"""Reproduction for gradient coding (docs/schemes/02-gradient-coding.md §9.9, §11):

(a) approximation error versus failure probability p for the PG(2, 9) assignment
    (91 x 91) and the (40, 20, 3, 6) bi-regular graph (workers = the 40 left
    vertices: the paper's choice is unknown), m = 2: the constrained-random scheme
    (least-squares and fixed unbiased decoders), the vertical-stacking baseline
    (same two decoders), the exact expected fixed-decoder error and the lower bound
    of §9.5 (its mean over the same failure draws).  Errors are per coordinate:
    sum_u ||B_F^T w_u - t_u||^2 / (m N), averaged over i.i.d. Bernoulli(p) draws.
(b) training: logistic regression (NumPy) on synthetic two-component Gaussian-mixture
    data generated in the run, under i.i.d. Bernoulli(p) worker failures.  Exact codes
    (FRC, CRC, cyclic MDS, Ye-Abbe m = 2) wait for the first n - s workers (the
    failed ones count as stragglers; when more than s fail, the master waits for
    enough of them) and match full gradient descent; the approximate codes use only
    the survivors with the unbiased fixed decoder (and the stochastic GC).

``run(...)`` returns the tables as lists of dicts; ``main(argv)`` prints them
(and plots with ``--plot FILE.png`` when matplotlib is installed).
"""
import sys
import time

import numpy as np

from fastcode.repro._entry import (count, optional_count, probability, random_seed, register_with,
                                   standalone_main)
from fastcode.codes import (ApproxCommEfficient, CommEfficient, CyclicMDS, CyclicRepetition,
                            FractionalRepetition, StackedApprox, StochasticGC)
from fastcode.codes.designs import projective_plane
from fastcode.codes.gradient_approx import biregular_assignment

P_GRID = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)


def _progress(msg, quiet):
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


# ---- (a) error versus p ------------------------------------------------------------------

def error_vs_p(assignment, m=2, ps=P_GRID, trials=200, rng=None, null_scale=1.0):
    """Rows {p, proposed_opt, proposed_fixed, proposed_expected, stacked_opt, stacked_fixed,
    lower_bound}: per-coordinate errors averaged over ``trials`` Bernoulli(p) draws."""
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
    return rows


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


def training_table(iters=60, p=0.2, samples=4000, features=40, rng=None, quiet=True):
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
        _progress(f"  trained {name}: final loss {losses[-1]:.5f}", quiet)
    return rows, curves


# ---- driver --------------------------------------------------------------------------

def run(trials=200, iters=60, p_train=0.2, seed=0, quiet=True):
    """All tables: {"pg29": rows, "biregular": rows, "training": rows}, plus curves."""
    rng = np.random.default_rng(seed)
    out = {}
    _progress("(a) PG(2,9), m=2 ...", quiet)
    out["pg29"] = error_vs_p(projective_plane(9), trials=trials, rng=rng)
    _progress("(a) (40,20,3,6) bi-regular, m=2 ...", quiet)
    out["biregular"] = error_vs_p(biregular_assignment(workers="left"), trials=trials, rng=rng)
    _progress(f"(b) training, p={p_train} ...", quiet)
    out["training"], out["curves"] = training_table(iters=iters, p=p_train, rng=rng, quiet=quiet)
    return out


def format_table(rows, floatfmt="{:.4g}"):
    keys = list(rows[0])
    cells = [[k for k in keys]] + [[floatfmt.format(r[k]) if isinstance(r[k], float) else str(r[k])
                                    for k in keys] for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(keys))]
    lines = ["  ".join(c[i].rjust(widths[i]) for i in range(len(keys))) for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def plot(result, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("--plot needs matplotlib (pip install 'fastcode[plot]'); tables printed only",
              file=sys.stderr)
        return False
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    for ax, key, title in ((axes[0], "pg29", "PG(2,9), m=2"),
                           (axes[1], "biregular", "(40,20,3,6) bi-regular, m=2")):
        rows = result[key]
        ps = [r["p"] for r in rows]
        for col, style in (("proposed_opt", "o-"), ("proposed_fixed", "s-"),
                           ("proposed_expected", "k--"), ("stacked_opt", "o:"),
                           ("stacked_fixed", "s:"), ("lower_bound", "x-.")):
            ax.semilogy(ps, [max(r[col], 1e-12) for r in rows], style, label=col)
        ax.set_xlabel("failure probability p")
        ax.set_ylabel("error per coordinate")
        ax.set_title(title)
        ax.legend(fontsize=7)
    for name, losses in result["curves"].items():
        axes[2].plot(losses, label=name)
    axes[2].set_xlabel("iteration")
    axes[2].set_ylabel("training loss")
    axes[2].set_title("logistic regression")
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return True


def add_arguments(ap):
    """The options of ``fastcode simulate gradient`` on parser ``ap``."""
    ap.add_argument("--trials", type=count, default=200, help="failure draws per p (default 200)")
    ap.add_argument("--iters", type=optional_count, default=60, help="training iterations (default 60)")
    ap.add_argument("--p-train", type=probability, default=0.2, help="failure probability in training")
    ap.add_argument("--seed", type=random_seed, default=0)
    ap.add_argument("--plot", metavar="FILE.png", help="save the figures (needs matplotlib)")
    ap.add_argument("--quiet", action="store_true", help="no progress messages")


def register_gradient(parser):
    """Gradient codes: approximation error vs failure probability, and training under failures."""
    register_with(parser, add_arguments, run_from_args)


def main(argv=None):
    return standalone_main("gradient", __doc__, add_arguments, run_from_args, argv)


def run_from_args(args):
    """Run the reproduction for parsed arguments; returns the exit status."""
    t0 = time.perf_counter()
    res = run(trials=args.trials, iters=args.iters, p_train=args.p_train, seed=args.seed,
              quiet=args.quiet)
    print("(a) approximation error per coordinate vs failure probability p "
          f"(mean over {args.trials} Bernoulli draws; m = 2)")
    print("\nPG(2,9) assignment, 91 workers x 91 parts:")
    print(format_table(res["pg29"]))
    print("\n(40,20,3,6) bi-regular graph, 40 workers (left side) x 20 parts:")
    print(format_table(res["biregular"]))
    print(f"\n(b) logistic regression, p = {args.p_train}, gradient descent, lr = 1:")
    print(format_table(res["training"]))
    if args.plot:
        if plot(res, args.plot):
            print(f"\nfigure written to {args.plot}")
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
