"""Time the bootstrap behind every prediction interval, and check the fitter on public finetuning curves.

    .venv/bin/python bench/predictions.py [--repeats 5]

1. A log-law on six checkpoints (BLEU-like, 2% noise): `bootstrap` with 1,000 residual resamples, each refitted by
   the batched L-BFGS; wall time of each repeat.
2. Lin et al. (2024)'s 30 WMT19 finetuning curves (`data/fixtures/lin2024/`, Apache-2.0): their rectified law
   fitted to all 14 sizes by least squares in log space (a Huber delta of 1, larger than every residual), its
   root-mean-square log error next to the one the authors published (`rmsd.csv`, same points, same quantity); then
   the rectified law and the power law fitted by the default Huber loss on the 11 sizes up to 204,800 examples and
   their largest relative error on the 3 larger ones (the authors publish no held-out error); and whether those 3
   held-out losses fall inside the 95% prediction interval of the rectified law's residual bootstrap (1,000 refits;
   the curves have one run each, so the interval carries the residuals' scatter alone).
   Writes bench/results/public_curves.csv, one row per model.
"""
import argparse, platform, time
from pathlib import Path
import numpy as np, pandas as pd
from scaling_downstream.fit import bootstrap, extrapolation_error, fit_law, log_law, power_law, rectified_law

ROOT = Path(__file__).parents[1]

def time_bootstrap(repeats: int) -> list[float]:
    d_p = np.geomspace(5e4, 2e6, 6)
    bleu = log_law(d_p, A=0.5, alpha=0.3, beta=1.5) * np.exp(np.random.default_rng(0).normal(0, 0.02, 6))
    fit, times = fit_law(log_law, d_p, bleu), []
    for seed in range(repeats):
        t0 = time.perf_counter(); bootstrap(log_law, d_p, bleu, n=1000, seed=seed, fit=fit); times.append(time.perf_counter() - t0)
    return times

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

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--repeats', type=int, default=5)
    args = ap.parse_args()
    print(f"{platform.processor() or platform.machine()}, numpy {np.__version__}")
    times = time_bootstrap(args.repeats)
    print(f"bootstrap of a log-law, 1,000 resamples: " + ', '.join(f"{t:.2f}" for t in times) + f" s (median {np.median(times):.2f} s)")
    t0 = time.perf_counter(); table = public_curves()
    print(f"Lin et al.'s 30 WMT19 curves, {time.perf_counter() - t0:.0f} s")
    out = ROOT/'bench/results/public_curves.csv'
    table.to_csv(out, index=False, float_format='%.6g')
    print(f"RMSD of log loss, all 14 sizes: ours {table.rmsd_ours.mean():.4f} mean, published {table.rmsd_published.mean():.4f}; "
          f"ours <= published on {(table.rmsd_ours <= table.rmsd_published + 1e-5).sum()} of {len(table)}")
    print(f"held out (fit <= 204,800 examples, predict 409,600-1,638,400), max |relative error|, median (max): rectified law "
          f"{table.held_out_rectified.median():.1%} ({table.held_out_rectified.max():.1%}), power law {table.held_out_power.median():.1%} "
          f"({table.held_out_power.max():.1%})")
    print(f"held-out losses inside the rectified law's 95% prediction interval: {table.held_out_in_interval.sum()} of {3*len(table)}")
    print(f"wrote {out.relative_to(ROOT)}")
