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
