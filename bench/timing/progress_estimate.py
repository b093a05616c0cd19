"""How good the study's estimate of its end is: the estimate `sd-reproduce` prints once half of the jobs are done, against
the time the jobs really took.

1. The smoke study, run for real (`sd-reproduce --scale smoke` into a temporary folder, its stream captured as a log
   file gets it; `--log FILE` reads such a stream instead of running one). From its lines `study: N of M jobs done,
   T in; about L left`: the first with N >= M/2 predicts T + L, the last (`M of M`) gives the real time of the jobs.
   Also the command's whole wall time (jobs and notebooks), the smoke budget that tests/test_study.py no longer asserts.
2. The cpu study of en-fr replayed: its jobs, in the order the workers take them, with the seconds each took when the
   committed results were made (results/cpu/en-fr.csv; the pretraining runs' from bench/results/study_cpu.json), on two
   simulated workers. At a quarter, half and three quarters of the jobs, `estimate_left` on what is done, running and
   pending, and the average job's estimate (elapsed / done × all, what a plain progress bar shows), against the end.
"""
import argparse, json, re, subprocess, sys, tempfile, time
from pathlib import Path
import pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import machine

ROOT = Path(__file__).resolve().parents[2]
STUDY = re.compile(r'study: (\d+) of (\d+) jobs done, ([\d:]+) in(?:; about ([\d:]+) left)?')

def seconds(clock: str) -> int:
    "'1:02:03' or '02:03' in seconds."
    return sum(int(p) * 60**i for i, p in enumerate(reversed(clock.split(':'))))

def from_log(text: str) -> dict:
    "The estimate at half of the jobs and the jobs' real time, from the captured stream of `sd-reproduce`."
    rows = [(int(n), int(m), seconds(t), seconds(l) if l else None) for n, m, t, l in STUDY.findall(text)]
    half = next((r for r in rows if r[0] >= r[1] / 2 and r[3] is not None), None)
    end = next((r for r in rows if r[0] == r[1]), None)
    if half is None or end is None: sys.exit("the log has no estimate at half of the jobs, or no last line: is it the stream of sd-reproduce?")
    n, m, t, left = half
    return dict(jobs=m, done_at_estimate=n, elapsed=t, predicted=t + left, by_average=t / n * m, actual=end[2])

def run_smoke(log: Path) -> float:
    "Run the smoke study into a temporary folder, its stream (stdout and stderr) into `log`; the command's wall time."
    with tempfile.TemporaryDirectory() as d, open(log, 'w') as out:
        started = time.perf_counter()
        r = subprocess.run([str(Path(sys.executable).parent/'sd-reproduce'), '--scale', 'smoke', '--runs', f'{d}/runs',
                            '--results', f'{d}/results', '--out', f'{d}/out'], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        took = time.perf_counter() - started
    if r.returncode: sys.exit(f"sd-reproduce failed (exit {r.returncode}); see {log}")
    return took

def replay(pair: str='en-fr', workers: int=2, at=(0.25, 0.5, 0.75)) -> pd.DataFrame:
    "The committed cpu study of `pair` on `workers` simulated workers: the estimates at the fractions `at` of its jobs."
    from scaling_downstream.grid import study_jobs
    from scaling_downstream.sweep import plan_sweep
    table = pd.read_csv(ROOT/f'results/cpu/{pair}.csv').set_index('key')
    pretrain_s = json.loads((ROOT/'bench/results/study_cpu.json').read_text())['pretraining_s']
    with tempfile.TemporaryDirectory() as d:
        specs = {k: json.loads((Path(d)/k/'spec.json').read_text()) for k in plan_sweep(study_jobs(pair, 'cpu'), d)}
    took = {k: pretrain_s[s['config']['mixture']] if s['kind'] == 'pretrain' else table.seconds[k] for k, s in specs.items()}
    events = simulate(specs, took, workers)
    return pd.DataFrame([estimates(specs, took, events, workers, share) for share in at])

def simulate(specs: dict, took: dict, workers: int) -> list:
    "(start, end, key) of every job, as `run_sweep`'s workers take them: the first in order whose pretraining is done."
    t, running, done, events = 0.0, {}, {}, []  # running: worker -> (key, start)
    while len(done) < len(specs):
        for w in range(workers):
            held = {k for k, _ in running.values()}
            free = [k for k in specs if k not in done and k not in held and (not specs[k].get('pretrain') or specs[k]['pretrain'] in done)]
            if w not in running and free: running[w] = (free[0], t)
        w = min(running, key=lambda w: running[w][1] + took[running[w][0]])
        key, start = running.pop(w); t = start + took[key]; done[key] = t; events.append((start, t, key))
    return events

def estimates(specs: dict, took: dict, events: list, workers: int, share: float) -> dict:
    "At the end of the job that brings the done ones to `share` of all: `estimate_left` and the average job against the truth."
    from scaling_downstream.progress import estimate_left, job_cost
    ends = sorted(e for _, e, _ in events)
    now = ends[int(share * len(ends)) - 1]
    done = [(s, e, k) for s, e, k in events if e <= now]
    running = [(s, e, k) for s, e, k in events if s < now < e]
    busy = {k for *_, k in done + running}
    left = estimate_left([job_cost(specs[k]) for k in specs if k not in busy], [(*job_cost(specs[k]), now - s) for s, _, k in running],
                         [(*job_cost(specs[k]), e - s) for s, e, k in done], workers)
    return dict(done=len(done), of=len(specs), at_s=round(now), actual_end_s=round(ends[-1]), predicted_s=round(now + left),
                ratio=round((now + left) / ends[-1], 3), by_average_s=round(now / len(done) * len(specs)),
                by_average_ratio=round(now / len(done) * len(specs) / ends[-1], 3))

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--log', help="read this captured stream of sd-reproduce instead of running the smoke study")
    args = parser.parse_args()
    if args.log: text, wall = Path(args.log).read_text(), None
    else:
        log = ROOT/'bench/results/progress_smoke.log'
        print(machine())  # the smoke study runs here; a --log was made elsewhere
        wall = run_smoke(log); text = log.read_text()
    smoke = from_log(text)
    print(f"{'the study of ' + args.log if args.log else 'smoke study'}: {smoke['jobs']} jobs; at {smoke['done_at_estimate']} done ({smoke['elapsed']} s in) the estimate said "
          f"{smoke['predicted']} s in all, the jobs took {smoke['actual']} s: x{smoke['predicted'] / smoke['actual']:.2f} "
          f"(the average job would have said {smoke['by_average']:.0f} s, x{smoke['by_average'] / smoke['actual']:.2f})"
          + (f"; the whole command {wall:.0f} s" if wall else ''))
    print("\nthe cpu study of en-fr replayed on two workers, its jobs' recorded seconds:\n")
    print(replay().to_markdown(index=False))
