"""Where the time of one run of a study went, by stage, from the study's own progress stream: `make study` (or
`make study-long`) run as

    /usr/bin/time -f 'setup wall %e s' make setup > LOG 2>&1
    /usr/bin/time -v make study 2>&1 | grep -v '^worker' >> LOG

(the per-worker lines left out), on a fresh run: a job found done in `runs/` is reported without its time and not
counted. The 'study: ... MM:SS in' lines date each 'done' line; each 'done' line gives its job's own time; the results
table gives each finetune's decoding seconds. Wall-clock stages: setup, pretraining (until
the last pretraining run is done), the finetunes and their decoding after it, and the rest (the notebooks, the start);
worker-seconds: each kind of job, the finetunes per D_f, and decoding. With --plan, the stages priced beforehand
(bench/plans/long_plan.py's json) beside them. Prints the tables for bench/RESULTS.md.

    .venv/bin/python bench/tables/study_stages.py --log bench/results/study_cpu_long_16M.log \
        --results bench/results/cpu_long_16M.csv --plan bench/results/long_plan_first.json
"""
import json, re, sys
from pathlib import Path
import pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import machine, parser

def seconds_of(text: str) -> float:
    "Seconds of 'MM:SS', 'H:MM:SS' or 'M:SS.ss'."
    return sum(float(p) * 60**i for i, p in enumerate(reversed(text.split(':'))))

def finished(lines: list[str]) -> pd.DataFrame:
    "One row per finished job: its kind, its D_f (finetunes), its own seconds, and the study's elapsed seconds when it was reported."
    rows, elapsed = [], None
    for line in reversed(lines):  # each 'done' line is dated by the study line after it
        if m := re.match(r'study: \d+ of \d+ jobs done, ([\d:]+) in', line): elapsed = seconds_of(m[1])
        elif m := re.match(r'done \d+/\d+: (\S+) (\S+?),? .*? -- .* in ([\d:]+)$', line):
            d_f = re.search(r'D_f=([\d,]+)', line.split(' -- ')[0])
            rows.append(dict(kind=m[1].split('+')[0], name=m[2], D_f=int(d_f[1].replace(',', '')) if d_f else None,
                             job_s=seconds_of(m[3]), at_s=elapsed))
    return pd.DataFrame(rows[::-1])

def stages(lines: list[str], results: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    "The wall-clock stages and the worker-seconds of `lines` (a study's stream) and `results` (its table)."
    found = lambda pattern: next((seconds_of(m[1]) for l in lines if (m := re.search(pattern, l))), float('nan'))
    jobs, wall = finished(lines), found(r'Elapsed \(wall clock\) time .*: ([\d:.]+)')
    wall = wall if wall == wall else found(r'study wall ([\d.]+) s')  # /usr/bin/time -f 'study wall %e s'
    pretrained, last = jobs.at_s[jobs.kind == 'pretrain'].max(), jobs.at_s.max()
    clock = pd.DataFrame([('setup (make setup: the virtual environment)', found(r'setup wall ([\d.]+) s')),
                          (f"pretraining: {(jobs.kind == 'pretrain').sum()} runs", pretrained),
                          (f"finetunes and their decoding after it: {(jobs.kind == 'finetune').sum()} jobs", last - pretrained),
                          ('notebooks and start (the rest of the command)', wall - last),
                          ('the study command (/usr/bin/time), setup excluded', wall)], columns=['stage', 'seconds'])
    work = [(f"pretraining ({(jobs.kind == 'pretrain').sum()} runs)", jobs.job_s[jobs.kind == 'pretrain'].sum())]
    work += [(f"finetunes at D_f = {int(d):,} ({len(g)} jobs)", g.job_s.sum()) for d, g in jobs[jobs.kind == 'finetune'].groupby('D_f')]
    work.append(('of which decoding the test pairs (results table)', results.decode_seconds.sum()))
    return clock, pd.DataFrame(work, columns=['work', 'worker_seconds'])

def print_levers(table: pd.DataFrame):
    "What more seeds would cost, at the mean seconds of the table's jobs: a second on each pretrained curve, a baseline's more."
    small, large, pretrained = table.D_f.min(), table.D_f.max(), table.mixture != 'none'
    checkpoints = table[pretrained & (table.D_f == small)].groupby('mixture').D_p.nunique().sum()
    each = table.seconds[pretrained & (table.D_f == small)].mean()
    print(f"\na second seed on every pretrained curve at D_f = {small:,}: {checkpoints} jobs of {each:.0f} s (their mean) = "
          f"{checkpoints*each/60:.0f} min of worker time, {checkpoints*each/120:.0f} min on two workers")
    base = table.seconds[~pretrained & (table.D_f == large)].mean()
    print(f"one more baseline seed at D_f = {large:,}: {base:.0f} s (the mean of its seeds) = {base/60:.0f} min of worker time")

def main():
    ap = parser(__doc__, repeats=None)
    ap.add_argument('--log', required=True); ap.add_argument('--results', required=True); ap.add_argument('--plan')
    ap.add_argument('--json', help="write the stages and each pretraining run's seconds here "
                                   "(bench/timing/progress_estimate.py replays them)")
    a = ap.parse_args()
    lines, table = open(a.log).read().splitlines(), pd.read_csv(a.results)
    clock, work = stages(lines, table)
    if a.json:
        jobs = finished(lines)
        record = dict(log=a.log, machine=machine(), stages=[[stage, None if pd.isna(s) else round(float(s), 1)] for stage, s in clock.values],
                      pretraining_s={r.name: r.job_s for r in jobs[jobs.kind == 'pretrain'].itertuples()})
        open(a.json, 'w').write(json.dumps(record, indent=1) + '\n')
    if a.plan:
        plan = json.loads(open(a.plan).read())
        clock['planned_minutes'] = [float('nan'), plan['stages'][0][1] / 60, plan['stages'][1][1] / 60, float('nan'), plan['stages'][2][1] / 60]
        print(f"planned on {plan['machine']}, {plan['date']}\n")
    print(clock.assign(minutes=clock.seconds / 60).round(1).to_markdown(index=False), end='\n\n')
    print(work.assign(minutes=work.worker_seconds / 60).round(1).to_markdown(index=False))
    print_levers(table)
    for d_f, step in table.eval('finetune_seconds / finetune_steps').groupby(table.D_f):  # set-up and validations included
        print(f"\na finetune's seconds per step at D_f = {d_f:,} (results table, set-up and validation included): "
              f"{step.mean():.2f} ({step.min():.2f} to {step.max():.2f})")

if __name__ == '__main__':
    main()
