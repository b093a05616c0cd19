"""Where the time of the cpu study goes: the wall-clock stages measured on one run (bench/results/study_cpu.json, written
from `time make study` and its progress bar), the per-job seconds recorded in the committed results tables, and from
them the time a fresh clone needs: every job's worker-seconds (pretraining runs' own training time included) shared by
the two workers."""
import json
from pathlib import Path
import pandas as pd

root = Path(__file__).resolve().parents[1]
run = json.loads((root/'bench/results/study_cpu.json').read_text())
print(f"{run['command']} on {run['machine']}, {run['date']}\n")
print(pd.DataFrame(run['stages'], columns=['stage', 'seconds']).assign(minutes=lambda d: (d.seconds/60).round(1)).to_markdown(index=False))
table = pd.concat([pd.read_csv(f) for f in sorted((root/'results/cpu').glob('*.csv'))], ignore_index=True)
jobs = table.assign(pretrained=table.mixture != 'none').groupby(['pair', 'D_f', 'pretrained']).agg(
    jobs=('seconds', 'size'), steps=('finetune_steps', 'mean'), finetune_s=('finetune_seconds', 'mean'),
    decode_s=('decode_seconds', 'mean'), job_s=('seconds', 'mean'), all_jobs_s=('seconds', 'sum'))
print('\nfinetune-and-evaluate jobs (one worker thread each; means per job):\n')
print(jobs.round(1).to_markdown())
pretrain_s = {name: s for name, s in run.get('pretraining_s', {}).items()}
for pair, rows in table.groupby('pair'):
    runs = {m for m in rows.mixture.unique() if m != 'none'}
    worker_s = rows.seconds.sum() + sum(pretrain_s.get(m, float('nan')) for m in runs)
    print(f"\n{pair} alone on a fresh clone: {rows.seconds.sum():,.0f} s of finetune jobs + {worker_s - rows.seconds.sum():,.0f} s of pretraining "
          f"({', '.join(sorted(runs))}) = {worker_s:,.0f} worker-seconds, {worker_s/2/60:.0f} min on two workers (plus the notebooks)")

# What testing findings 1 and 2 on BLEU would add: a BLEU curve needs every checkpoint of the en-fr English-only and 50/50
# runs finetuned where the models translate (D_f = 1.6M), not only the largest; priced at the measured per-job seconds.
fr = table[table.pair == 'en-fr']
big = int(fr.D_f.max())
extra = sum(fr.D_p[(fr.mixture == m) & (fr.D_f == min(fr.D_f))].nunique() - fr.D_p[(fr.mixture == m) & (fr.D_f == big)].nunique()
            for m in ('en', 'en50-fr50'))
per_job = fr.seconds[(fr.D_f == big) & (fr.mixture != 'none')].mean()
print(f"\nBLEU curves for findings 1 and 2 (en-fr English-only and 50/50 at D_f={big:,}): {extra} more finetunes of "
      f"{per_job:,.0f} s each (measured mean) = {extra*per_job/2/60:.0f} more minutes on two workers")
quiet = table.seconds[(table.pair == 'en-ro') & (table.D_f == big)].mean()  # 800-step jobs of a run with nothing else beside it
fr_quiet = fr.seconds.sum() - fr.seconds[fr.D_f == big].sum() + (fr.D_f == big).sum() * quiet + sum(pretrain_s[m] for m in ('en', 'en50-fr50', 'fr'))
print(f"en-fr on a quiet machine (its {(fr.D_f == big).sum()} finetunes at D_f={big:,} at the {quiet:,.0f} s of en-ro's, measured with nothing "
      f"beside them): {fr_quiet/2/60:.0f} min on two workers; the curves for findings 1 and 2 at that rate: {extra*quiet/2/60:.0f} more minutes")
