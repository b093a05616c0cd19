"""Time `fit_law` on Hoffmann et al.'s approach 3: the 240 Chinchilla points, the full 4,500-start grid.

    .venv/bin/python bench/timing/fit_chinchilla.py [--repeats 5] [--scipy]

Prints the wall time of each repeat and the parameters. `--scipy` also times the plain approach for comparison:
one `scipy.optimize.minimize(method='L-BFGS-B')` per start with numerical gradients, on a sample of the starts,
extrapolated to all 4,500.
"""
import sys, time
from pathlib import Path
import numpy as np, pandas as pd
from scaling_downstream.fit import chinchilla_law, fit_law, huber, start_grid
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import ROOT, machine, parser

REPLICATION = dict(E=1.8172, A=477.84, B=2143.86, alpha=0.3473, beta=0.3672)
df = pd.read_csv(ROOT/'data/fixtures/chinchilla_svg_extracted_data.csv').nsmallest(240, 'loss')
x = {'N': df['Model Size'].values, 'D': df['Training FLOP'].values/(6*df['Model Size'].values)}
y = df['loss'].values

def scipy_seconds_per_start(n_sample=60, seed=0):
    from scipy.optimize import minimize
    logy = np.log(y)
    def objective(theta): return huber(chinchilla_law.log_fn(theta[None], x)[0] - logy, 1e-3)[0].sum()
    grid = start_grid(chinchilla_law, x, logy)
    sample = grid[np.random.default_rng(seed).choice(len(grid), n_sample, replace=False)]
    t0 = time.perf_counter()
    for theta in sample: minimize(objective, theta, method='L-BFGS-B')
    return (time.perf_counter() - t0)/n_sample, len(grid)

if __name__ == '__main__':
    ap = parser(__doc__)
    ap.add_argument('--scipy', action='store_true')
    args = ap.parse_args()
    print(machine())
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter(); fit = fit_law(chinchilla_law, x, y); times.append(time.perf_counter() - t0)
    print(f"fit_law, {fit.n_starts} starts: " + ', '.join(f"{t:.2f}" for t in times) + f" s (median {np.median(times):.2f} s)")
    print(fit)
    print('relative difference from the replication: ' + ', '.join(f"{k} {fit.params[k]/v - 1:+.2e}" for k, v in REPLICATION.items()))
    if args.scipy:
        per_start, n = scipy_seconds_per_start()
        print(f"scipy L-BFGS-B per start, numerical gradients: {per_start*1e3:.1f} ms -> {per_start*n:.0f} s for {n} starts "
              f"({per_start*n/np.median(times):.0f}x slower)")
