"""What SLURM costs a study: the smoke study's jobs through the SLURM launcher (a one-node SLURM started on this machine,
as the tests start it) against the same jobs by two local workers, on one machine. Prints the wall time of each and,
per SLURM job, the time it held its allocation beyond the work it did (Python and torch starting, submitit unpickling,
the scheduler's start-up), from SLURM's job-completion log and each job's own record of its work. Needs root.

    .venv/bin/python bench/timing/slurm_overhead.py
"""
import json, statistics, sys, tempfile, time
from datetime import datetime
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2]/'tests'))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import machine
from slurm_node import one_node_slurm
from scaling_downstream.slurm import cluster_for, run_slurm
from scaling_downstream.grid import STUDY_SCALES, study_jobs
from scaling_downstream.sweep import run_workers

def jobs():
    return [s for pair in STUDY_SCALES['smoke']['mixtures'] for s in study_jobs(pair, 'smoke')]

def work_seconds(root: Path) -> dict:
    "Each job's own time at work (run_one's record), by its key."
    return {p.parent.name: sum(json.loads(l)['seconds'] for l in p.read_text().splitlines()) for p in root.glob('*/history.jsonl')}

def allocations(jobcomp: Path) -> dict:
    "Seconds each SLURM job held its allocation, from SLURM's job-completion log (jobcomp/filetxt), by job id."
    out = {}
    for line in jobcomp.read_text().splitlines():
        f = dict(kv.split('=', 1) for kv in line.split() if '=' in kv)
        start, end = (datetime.fromisoformat(f[k]) for k in ('StartTime', 'EndTime'))
        out[f['JobId'] if f.get('ArrayTaskId', '4294967294') in ('4294967294', '') else f"{f['ArrayJobId']}_{f['ArrayTaskId']}"] = (end - start).total_seconds()
    return out

def main():  # the local workers are spawned processes: they import this file
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        started = time.perf_counter(); run_workers(jobs(), tmp/'local', workers=2, progress=False); local = time.perf_counter() - started
        with one_node_slurm(tmp/'slurm') as conf:
            started = time.perf_counter()
            run_slurm(jobs(), tmp/'runs', cluster_for(STUDY_SCALES['smoke']), poll=1.0, say=lambda line: None)
            through_slurm = time.perf_counter() - started
            time.sleep(2)  # the completion log is written as each job ends
            held = allocations(conf.parent/'jobcomp.txt')
        work = work_seconds(tmp/'runs')
        ids = {json.loads((tmp/'runs'/k/'slurm.json').read_text())['job_id']: k for k in work}
        overhead = [held[i] - work[k] for i, k in ids.items() if i in held]
        print(f"smoke study, {len(work)} jobs: local workers (2) {local:.1f} s, SLURM launcher (1 core a job) {through_slurm:.1f} s")
        print(f"per SLURM job beyond its work: median {statistics.median(overhead):.1f} s (min {min(overhead):.1f}, max {max(overhead):.1f}), "
              f"{len(overhead)} jobs")

if __name__ == '__main__':
    main()
