"""The section "The main job: `make study` from a fresh clone, and drawn again" of bench/RESULTS.md, written from the
committed records: the fresh clone's log (bench/results/study_cpu.log), the committed results (results/cpu/en-fr.csv,
its paired tests and findings), and the same design drawn again with every seed shifted
(bench/results/reseeded_study.csv, by
`bash bench/experiments/translating_study.sh bench/specs/cpu-reseeded.yaml reseeded_study`), so that every number in
its prose comes from a record. Usage: python bench/tables/main_job_section.py > /tmp/section.md"""
import json, re, sys
from pathlib import Path
import numpy as np, pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import ROOT
from study_stages import stages
from scaling_downstream.analysis import curve, load_results, seed_noise
from scaling_downstream.findings import findings

R = ROOT/'bench/results'

def matched(a: pd.DataFrame, b: pd.DataFrame, d_f: int) -> pd.DataFrame:
    "Each point of the two draws side by side (the baseline as the mean of its seeds): BLEU and CE with their intervals."
    rows = []
    for mixture in ('none', 'en', 'en50-fr50'):
        for metric in ('bleu', 'ce'):
            pa, pb = (curve(x, 'en-fr', mixture, d_f, metric).set_index('D_p') for x in (a, b))
            for d in pa.index.intersection(pb.index):
                rows.append(dict(mixture=mixture, D_p=d, metric=metric, first=pa[metric][d], second=pb[metric][d],
                                 ci=float(np.hypot(pa.ci[d], pb.ci[d]))))
    return pd.DataFrame(rows).assign(moved=lambda x: x.second - x.first)

def main():
    log = (R/'study_cpu.log').read_text().splitlines()
    table, redraw = load_results(ROOT/'results/cpu'), pd.read_csv(R/'reseeded_study.csv')
    d_f = int(table.D_f.max())
    clock, work = stages(log, table)
    study = json.loads((R/'study_cpu.json').read_text())
    print(f"Run on {study['machine']}:\n")
    print(clock.assign(minutes=clock.seconds / 60).round(1).to_markdown(index=False), end='\n\n')
    print(work.assign(minutes=work.worker_seconds / 60).round(1).to_markdown(index=False), end='\n\n')
    earlier = pd.read_csv(R/'translating_study.csv').set_index('key')  # the same design and seeds, run earlier
    same = table.set_index('key').index.intersection(earlier.index)
    moved = (table.set_index('key').loc[same, ['bleu', 'ce']] - earlier.loc[same, ['bleu', 'ce']]).abs().max()
    print(f"against the earlier run of the same design and seeds (bench/results/translating_study.csv), {len(same)} models: "
          f"BLEU differs by at most {moved.bleu:.2g}, CE by at most {moved.ce:.2g} nats\n")
    both = matched(table, redraw, d_f)
    show = both.assign(D_p=both.D_p.map(lambda d: f"{d / 1e6:.1f}M" if d else 'none'),
                       within=(both.moved.abs() <= both.ci))
    for metric, g in show.groupby('metric', sort=False):
        digits = 2 if metric == 'bleu' else 3
        print(g[['mixture', 'D_p', 'first', 'second', 'moved', 'ci', 'within']].rename(
            columns={'first': f'{metric}, committed', 'second': f'{metric}, seeds shifted', 'ci': '95% of the difference'})
              .round(digits).to_markdown(index=False), end='\n\n')
        print(f"{metric}: {int(g.within.sum())} of {len(g)} points moved by less than the 95% interval of their difference; "
              f"mean |move| {g.moved.abs().mean():.{digits}f}, largest {g.moved.abs().max():.{digits}f}\n")
    pooled = pd.concat([table, redraw], ignore_index=True)  # every pretrained point two draws, the baseline six seeds
    statuses = pd.DataFrame({'finding': findings(table).finding, 'committed run': findings(table).status,
                             'seeds shifted': findings(redraw).status, 'both draws together': findings(pooled).status})
    print(statuses.to_markdown(index=False))
    print(f"\n{(statuses['committed run'] == statuses['seeds shifted']).sum()} of {len(statuses)} statuses the same on both draws")
    for name, t in (('committed run', table), ('seeds shifted', redraw)):
        b = t[t.mixture == 'none']
        print(f"\n{name}: the baseline's BLEU by seed " + ', '.join(f"{x:.2f}" for x in b.bleu) + f" (sd {b.bleu.std():.2f}); "
              f"brevity penalty at least {t.brevity_penalty.min():.3f}")
    for metric in ('bleu', 'ce'):
        sd, scope = seed_noise(pooled, 'en-fr', metric, d_f)
        print(f"\nthe run-to-run sd of a pretrained checkpoint's {metric}, from the two draws: {sd:.3g} ({scope}); from the "
              f"committed baseline's seeds alone: {seed_noise(table, 'en-fr', metric, d_f, baseline=True)[0]:.3g}")

if __name__ == '__main__':
    main()
