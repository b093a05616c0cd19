"""Time the bootstrap behind every prediction interval, check that the intervals hold on the studies' designs, and
check the fitter on public finetuning curves.

    .venv/bin/python bench/experiments/predictions.py [--repeats 5] [--studies 400] [--refits 400] [--skip-public]

1. `bootstrap` with 1,000 resamples, each refitted by the batched L-BFGS: a log-law on six BLEU-like checkpoints with 2%
   noise (the friendly case), and the cpu study's design (the checkpoints of specs/cpu.yaml, its 50/50 curve's seeds and
   its baseline's, 0.3 BLEU apart, a true log-law), one made-up study per repeat; wall time and the share of refits that
   converged. And the cpu design refitted in the log-law's own parameters, as before its search space: how many refits stop at the limit.
2. Coverage of the 95% interval of a new run, through `analysis.predict_curve` (`coverage.design_coverage`): the cpu
   and gpu studies' designs with a true log-law, and the cpu design with a saturating curve the log-law does not
   describe (reported as it is), and a design the guide meets in practice (five checkpoints over 1.5 decades, three seeds
   each); at 1x and 10x the largest checkpoint. On the cpu design also Davison and Hinkley's
   reflected ("basic") limits from the same refits, which the package does not use, to show why.
3. Lin et al. (2024)'s 30 WMT19 finetuning curves (`data/fixtures/lin2024/`, Apache-2.0): their rectified law fitted to
   all 14 sizes by least squares in log space (a Huber delta of 1, larger than every residual), its root-mean-square log
   error next to the one the authors published (`rmsd.csv`, same points, same quantity); then the rectified law and the
   power law fitted by the default Huber loss on the 11 sizes up to 204,800 examples and their largest relative error on
   the 3 larger ones (the authors publish no held-out error); and whether those 3 held-out losses fall inside the 95%
   prediction interval of the rectified law's residual bootstrap (1,000 refits; one run per curve, so the interval
   carries the residuals' scatter alone). Writes bench/results/public_curves.csv, one row per model.
Writes bench/results/coverage.csv (part 2). Answered in bench/RESULTS.md, "Prediction intervals and the fitter on
public finetuning curves" (and, for the main job's design, "The main job's design, and where an interval's width comes
from"; the budget of part 1 in "Time budgets").
"""
import sys, time
from pathlib import Path
import numpy as np, pandas as pd
from scaling_downstream import analysis, coverage
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import ROOT, machine, parser, write_table
from scaling_downstream.fit import extrapolation_error, fit_law, log_law, power_law, rectified_law
from scaling_downstream.intervals import bootstrap

from scaling_downstream.grid import design as study_design
CPU_GRID, GPU_GRID = (np.array(study_design(s)[0], float) for s in ('cpu', 'gpu'))  # the checkpoints of specs/cpu.yaml, gpu.yaml
PRACTICE_GRID = np.geomspace(5e5, 5e5 * 10**1.5, 5)  # a design the guide meets in practice: five checkpoints, 1.5 decades
SEEDS = {s: study_design(s)[1] for s in ('cpu', 'gpu')}  # the finetuning seeds of their 50/50 curves
BASELINE_SEEDS = {s: study_design(s, curve='none')[1] for s in ('cpu', 'gpu')}  # and of their baselines
CPU_CURVE = lambda d: log_law(d, A=np.exp(2.15), alpha=0.3, beta=1.2)   # BLEU 7.6-9.3 over the cpu checkpoints
GPU_CURVE = lambda d: log_law(d, A=np.exp(0.5), alpha=0.25, beta=1.5)   # BLEU 8.7-11.0 over the gpu checkpoints
SATURATING = lambda d: 12 - 9*(d/5e4)**-0.2                             # bends away from any log-law

def time_bootstrap(repeats: int) -> dict:
    d_p = np.geomspace(5e4, 2e6, 6)
    bleu = log_law(d_p, A=0.5, alpha=0.3, beta=1.5) * np.exp(np.random.default_rng(0).normal(0, 0.02, 6))
    fit, out = fit_law(log_law, d_p, bleu), {'friendly': [], 'cpu design': []}
    for seed in range(repeats):
        t0 = time.perf_counter(); b = bootstrap(log_law, d_p, bleu, n=1000, seed=seed, fit=fit)
        out['friendly'].append((time.perf_counter() - t0, b.converged_share))
        t = coverage.simulated_study(CPU_CURVE, CPU_GRID, SEEDS['cpu'], rng=np.random.default_rng(seed), baseline_seeds=BASELINE_SEEDS['cpu'])
        pts = analysis.curve(t, 'en-fr', 'en50-fr50', 50_000, 'bleu')
        f = fit_law(log_law, pts.D_p, pts.bleu)
        t0 = time.perf_counter(); b = bootstrap(log_law, pts.D_p, pts.bleu, n=1000, seed=seed, fit=f, noise=pts.ci/1.96)
        out['cpu design'].append((time.perf_counter() - t0, b.converged_share))
    return out

def in_own_parameters(studies: int=20, n: int=1000) -> dict:
    """The cpu design's bootstrap refitted in the log-law's own parameters (log A, α, β), as before its search space: the
    share of refits that stop at the iteration limit (500), and their median prediction at 10x against the converged ones'."""
    from scaling_downstream.fit import _redraws, batched_lbfgs, huber_objective
    rng, stuck, higher = np.random.default_rng(0), [], []
    for seed in range(studies):
        t = coverage.simulated_study(CPU_CURVE, CPU_GRID, SEEDS['cpu'], rng=rng, baseline_seeds=BASELINE_SEEDS['cpu'])
        pts = analysis.curve(t, 'en-fr', 'en50-fr50', 50_000, 'bleu')
        fit = fit_law(log_law, pts.D_p, pts.bleu)
        log_y, *_ = _redraws(fit, n, np.random.default_rng(seed), pts.ci.to_numpy()/1.96)
        thetas, _, conv, _ = batched_lbfgs(huber_objective(log_law, fit.x, log_y, fit.delta), np.tile(fit.theta, (n, 1)), ftol=1e-10)
        stuck.append(1 - conv.mean())
        if 0 < conv.sum() < n:
            at = np.exp(log_law.log_fn(thetas, {'D_p': np.array([10*CPU_GRID.max()])})[:, 0])
            higher.append(np.nanmedian(at[~conv]) > np.nanmedian(at[conv]))
    return dict(mean=float(np.mean(stuck)), max=float(np.max(stuck)), higher=int(np.sum(higher)), mixed=len(higher))

def reflected_coverage(score, d_p, studies: int, refits: int, seed: int=0, factor: float=10.0) -> float:
    "Coverage at `factor`x of Davison and Hinkley's reflected limits, exp(2 log y0 - quantiles of log draws), from predict_curve's own refits."
    rng, inside = np.random.default_rng(seed), []
    for _ in range(studies):
        t = coverage.simulated_study(score, d_p, SEEDS['cpu'], rng=rng, baseline_seeds=BASELINE_SEEDS['cpu'])
        target = factor * d_p.max()
        analysis.predict_curve(t, 'en-fr', 'en50-fr50', 50_000, 'bleu', target, refits)
        boot = analysis.curve_bootstrap(t, 'en-fr', 'en50-fr50', 50_000, 'bleu', refits)  # the same refits, from the cache
        y0, run_sd = float(boot.fit.predict([target])[0]), analysis.seed_spread(t, 'en-fr', 'bleu', 50_000)
        z = np.random.default_rng(1).standard_normal((len(boot.thetas), 20))
        with np.errstate(all='ignore'):
            draws = np.log(boot.curves([target])) + boot.new_run_sd([target], run_sd)[0]*z
        lo, hi = np.exp(2*np.log(y0) - np.nanquantile(draws, [0.975, 0.025]))
        new = score(np.array([target]))[0] + 0.3*rng.standard_normal(400)
        inside.append(np.mean((lo <= new) & (new <= hi)))
    return float(np.mean(inside))

def coverage(studies: int, refits: int) -> pd.DataFrame:
    named = lambda s, grid: (f"{s} ({len(grid)} checkpoints, {np.log10(grid.max()/grid.min()):.1f} decades, {SEEDS[s]} "
                             f"seed{'s'[:SEEDS[s] > 1]} each, baseline {BASELINE_SEEDS[s]})")
    designs = {named('cpu', CPU_GRID): (CPU_CURVE, CPU_GRID, SEEDS['cpu'], BASELINE_SEEDS['cpu']),
               named('gpu', GPU_GRID): (GPU_CURVE, GPU_GRID, SEEDS['gpu'], BASELINE_SEEDS['gpu']),
               'cpu, saturating curve (misspecified)': (SATURATING, CPU_GRID, SEEDS['cpu'], BASELINE_SEEDS['cpu']),
               'practice (5 checkpoints, 1.5 decades, 3 seeds each, baseline 3)': (CPU_CURVE, PRACTICE_GRID, 3, 3)}
    parts = []
    for i, (name, (score, grid, seeds, base)) in enumerate(designs.items()):
        t0 = time.perf_counter()
        c = coverage.design_coverage(score, grid, seeds, studies=studies, n_bootstrap=refits, seed=i, baseline_seeds=base)
        parts.append(c.reset_index().assign(design=name, seconds=time.perf_counter() - t0))
        print(f"  {name}: " + ', '.join(f"{r.factor:g}x {r.coverage:.1%} ± {r.se:.1%}" for r in c.reset_index().itertuples())
              + f" ({c.studies.iloc[0]} studies, {refits} refits each, converged ≥ {c.converged_min.min():.1%}; {time.perf_counter() - t0:.0f} s)")
    return pd.concat(parts, ignore_index=True)[['design', 'factor', 'coverage', 'se', 'studies', 'refits', 'converged_min', 'skipped', 'seconds']]

def public_curves() -> pd.DataFrame:
    curves = pd.read_csv(ROOT/'data/fixtures/lin2024/wmt19.csv', index_col='config name')
    published = pd.read_csv(ROOT/'data/fixtures/lin2024/rmsd.csv').query("dataset == 'WMT19'").set_index('model')
    sizes = [c for c in curves.columns if c not in ('0', 'size', 'family')]
    x, rows = np.array(sizes, float), []
    for model, row in curves.iterrows():
        y = row[sizes].to_numpy(float)
        fit = fit_law(rectified_law, x, y, delta=1.0)
        boot = bootstrap(rectified_law, x[:11], y[:11])
        lo, hi = boot.prediction_interval(x[11:])
        rows.append(dict(model=model, rmsd_ours=float(np.sqrt(np.mean((np.log(fit.predict(x)) - np.log(y))**2))),
                         rmsd_published=published.loc[model, 'our_rmsd_under_log'],
                         held_out_rectified=extrapolation_error(rectified_law, x, y, n_fit=11).max_rel_error,
                         held_out_power=extrapolation_error(power_law, x, y, n_fit=11).max_rel_error,
                         held_out_in_interval=int(((lo <= y[11:]) & (y[11:] <= hi)).sum())))
    return pd.DataFrame(rows)

def report_public():
    t0 = time.perf_counter(); table = public_curves()
    print(f"Lin et al.'s 30 WMT19 curves, {time.perf_counter() - t0:.0f} s")
    out = write_table(table, 'public_curves.csv')
    print(f"RMSD of log loss, all 14 sizes: ours {table.rmsd_ours.mean():.4f} mean, published {table.rmsd_published.mean():.4f}; "
          f"ours <= published on {(table.rmsd_ours <= table.rmsd_published + 1e-5).sum()} of {len(table)}")
    print(f"held out (fit <= 204,800 examples, predict 409,600-1,638,400), max |relative error|, median (max): rectified law "
          f"{table.held_out_rectified.median():.1%} ({table.held_out_rectified.max():.1%}), power law {table.held_out_power.median():.1%} "
          f"({table.held_out_power.max():.1%})")
    print(f"held-out losses inside the rectified law's 95% prediction interval: {table.held_out_in_interval.sum()} of {3*len(table)}")
    print(f"wrote {out}")

if __name__ == '__main__':
    ap = parser(__doc__)
    ap.add_argument('--studies', type=int, default=400)
    ap.add_argument('--refits', type=int, default=400)
    ap.add_argument('--skip-public', action='store_true')
    args = ap.parse_args()
    print(machine())
    for case, runs in time_bootstrap(args.repeats).items():
        times = [t for t, _ in runs]
        print(f"bootstrap of a log-law, 1,000 resamples, {case}: " + ', '.join(f"{t:.2f}" for t in times)
              + f" s (median {np.median(times):.2f} s); refits converged: {min(c for _, c in runs):.1%} at least")
    own = in_own_parameters()
    print(f"the same design refitted in (log A, alpha, beta), 20 studies: {own['mean']:.1%} of refits stop at the iteration limit on average, "
          f"{own['max']:.1%} at most; where some do, they predict higher at 10x than those that converge in {own['higher']} of {own['mixed']} studies")
    print("coverage of the 95% interval of a new run, through predict_curve:")
    out = write_table(coverage(args.studies, args.refits), 'coverage.csv', '%.4g')
    print(f"  cpu design, Davison and Hinkley's reflected limits at 10x: {reflected_coverage(CPU_CURVE, CPU_GRID, args.studies // 2, args.refits):.1%}"
          f" ({args.studies // 2} studies)")
    print(f"wrote {out}")
    if not args.skip_public: report_public()
