"""The tables of bench/experiments/translating_study.sh's run for bench/RESULTS.md: every model's BLEU on en-fr's own
test set and on the multi-way one with their 95% intervals, its cross-entropies; the baseline's seed spread; each
checkpoint's paired test against the baseline; the findings as the guide judged them.
Usage: python bench/tables/translating_table.py"""
from pathlib import Path
import re
import pandas as pd

here = Path(__file__).resolve().parents[1]/'results'  # bench/results/
table = pd.read_csv(here/'translating_study.csv')
show = pd.DataFrame({'mixture': table.mixture, 'D_p': table.D_p.map(lambda d: f"{d / 1e6:.1f}M" if d else '0'), 'seed': table.seed,
                     'BLEU, own test set': [f"{b:.2f} ± {c:.2f}" for b, c in zip(table.bleu, table.bleu_ci)],
                     'pairs': table.n, 'CE': table.ce.round(3),
                     'BLEU, multi-way test': [f"{b:.2f} ± {c:.2f}" for b, c in zip(table.test_bleu, table.test_bleu_ci)],
                     'CE, multi-way': table.test_ce.round(3), 'valid CE': table.valid_ce.round(3),
                     'steps': table.finetune_steps, 'BP': table.brevity_penalty.round(3)})
print(show.to_markdown(index=False))
base = table[table.mixture == 'none']
print(f"\nbaseline, {len(base)} seeds: BLEU {base.bleu.mean():.2f} (seed sd {base.bleu.std():.2f}), CE {base.ce.mean():.3f} "
      f"(seed sd {base.ce.std():.3f}); on the multi-way test BLEU {base.test_bleu.mean():.2f} (sd {base.test_bleu.std():.2f})")
for name in ('paired.csv', 'findings.csv'):
    if (here/'translating_study'/name).exists():
        print(f"\n{name}:\n" + pd.read_csv(here/'translating_study'/name).to_markdown(index=False, floatfmt='.3g'))

# the run's time, from its log: the wall time (/usr/bin/time) and each job's own minutes
log = (here/'translating_study.log').read_text()
jobs = re.findall(r'^done \d+/\d+: (pretrain|finetune)\S* .* in (\d+):(\d+)$', log, re.M)
took = pd.DataFrame([(k, int(m) * 60 + int(s)) for k, m, s in jobs], columns=['kind', 'seconds']).groupby('kind').seconds
cpu, wall = log.splitlines()[0].split(':', 1)[1].strip(), float(re.search(r'study wall ([\d.]+) s', log)[1])
print(f"\n{cpu}, empty inductor cache: study wall {wall / 60:.1f} min; jobs (own seconds): "
      + '; '.join(f"{k} {len(v)}: {v.min()}–{v.max()} s" for k, v in took))
