"""Where the width of a new run's 95% interval comes from, on the design the guide meets in practice: five checkpoints
over 1.5 decades, three finetuning seeds each, the log-law true, the seeds' mean fitted. Through the public
`intervals.bootstrap` and `Bootstrap.prediction_interval`, as a user of the fitter would call them, each variant on the same
made-up studies: `noise` the sd of the fitted mean (the seed spread over √3, what `analysis.curve` gives a point) or
the seed spread itself (one run's sd, as if each point were one run); the law's misfit estimated (the default) or
left out. For each: the share of fresh runs inside the interval at 1× and 10× the largest checkpoint, the share of
studies whose curve band holds the true curve there, and the band's and the interval's mean half-widths.
Answered in bench/RESULTS.md, "The main job's design, and where an interval's width comes from".

    .venv/bin/python bench/experiments/coverage_sources.py --studies 40 --fresh 400
        # -> bench/results/coverage_sources.csv
"""
import sys
from pathlib import Path
from unittest.mock import patch
import numpy as np, pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import ROOT, machine, parser
from scaling_downstream import intervals
from scaling_downstream.fit import log_law
from scaling_downstream.intervals import bootstrap, lognormal_sd

TRUTH = dict(A=np.exp(2.15), alpha=0.3, beta=1.2)  # BLEU 7.6 to 9.3 from 50k to 1.6M tokens, 8.7 to 10.6 from 500k to 16M
SD, SEEDS = 0.3, 3

def without_misfit(redraws):
    "`fit._redraws` with the misfit set to 0: the points redrawn with their measured noise alone."
    def redraw(fit, n, rng, noise=None):
        log_fit = np.log(fit.predict(fit.x))
        _, residual_sd, _ = redraws(fit, 1, np.random.default_rng(0), noise)
        measured = lognormal_sd(np.broadcast_to(np.asarray(noise, float), log_fit.shape), np.exp(log_fit))
        return log_fit + rng.standard_normal((n, len(log_fit))) * measured, residual_sd, 0.0
    return redraw

def variant(noise: str, misfit: bool, studies: int, fresh: int, refits: int, start: float) -> dict:
    D_P = np.geomspace(start, start * 10**1.5, 5)  # five checkpoints over 1.5 decades
    rng, out = np.random.default_rng(0), {f: dict(inside=[], band=[], band_w=[], int_w=[]) for f in (1, 10)}
    redraws = intervals._redraws if misfit else without_misfit(intervals._redraws)
    for s in range(studies):
        runs = log_law(D_P, **TRUTH)[:, None] + SD * rng.standard_normal((len(D_P), SEEDS))
        spread = float(np.sqrt(runs.var(axis=1, ddof=1).mean()))  # pooled over the checkpoints, as the study does
        with patch.object(intervals, '_redraws', redraws):
            boot = bootstrap(log_law, D_P, runs.mean(1), n=refits, seed=s,
                             noise=spread / np.sqrt(SEEDS) if noise == 'mean' else spread)
        for f in (1, 10):
            x, true = f * D_P[-1], float(log_law(np.array([f * D_P[-1]]), **TRUTH)[0])
            new = true + SD * rng.standard_normal(fresh)
            lo, hi = (float(v[0]) for v in boot.prediction_interval([x], run_sd=spread))
            blo, bhi = (float(v[0]) for v in boot.band([x]))
            o = out[f]
            o['inside'].append(np.mean((new >= lo) & (new <= hi))); o['band'].append(blo <= true <= bhi)
            o['band_w'].append((bhi - blo) / 2); o['int_w'].append((hi - lo) / 2)
    return [dict(start=start, noise={'mean': 'sd of the mean (spread/√3)', 'run': 'one run (spread)'}[noise], misfit=misfit, factor=f,
                 coverage=np.mean(o['inside']), se=np.std(o['inside'], ddof=1) / np.sqrt(studies),
                 band_holds_truth=np.mean(o['band']), band_half_width=np.mean(o['band_w']),
                 interval_half_width=np.mean(o['int_w']), studies=studies, fresh=fresh, refits=refits) for f, o in out.items()]

def main():
    ap = parser(__doc__, repeats=None)
    ap.add_argument('--studies', type=int, default=40); ap.add_argument('--fresh', type=int, default=400)
    ap.add_argument('--refits', type=int, default=200)
    ap.add_argument('--out', default='coverage_sources.csv')
    ap.add_argument('--variants', nargs='+', default=['mean', 'mean-nomisfit', 'run'], help='mean, mean-nomisfit, run')
    ap.add_argument('--start', type=float, nargs='+', default=[5e4, 5e5], help='the smallest checkpoint of each design')
    a = ap.parse_args()
    chosen = {'mean': ('mean', True), 'mean-nomisfit': ('mean', False), 'run': ('run', True)}
    rows = [r for start in a.start for noise, misfit in (chosen[v] for v in a.variants)
            for r in variant(noise, misfit, a.studies, a.fresh, a.refits, start)]
    table = pd.DataFrame(rows).assign(machine=machine())
    table.to_csv(ROOT/f'bench/results/{a.out}', index=False)
    print(table.drop(columns='machine').round(3).to_markdown(index=False))

if __name__ == '__main__':
    main()
