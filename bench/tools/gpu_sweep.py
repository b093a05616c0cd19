"""The jobs of a scale's study, run until a deadline, with the results tables of what is done: the training half of
`sd-reproduce`, for a machine that has the training libraries but not the notebook ones (a GPU session).

    python bench/tools/gpu_sweep.py --scale gpu --workers 8 --time_limit 400 [--pairs en-de en-fr en-ro]

Runs every job of the scale's pairs under runs/<scale>/ (cached: a second call goes on where the first stopped; at the
time limit the workers are stopped and a pretraining run keeps its last saved state), then writes
results/<scale>/<pair>.csv for the finetunes done. Exit status 0 when every job is done, 3 while some are left.
The figures and notebooks are drawn elsewhere from those tables: `make figures SCALE=<scale>`.
"""
import argparse, sys, time
from pathlib import Path
from scaling_downstream.grid import STUDY_SCALES, study_jobs
from scaling_downstream.results import write_results
from scaling_downstream.sweep import run_sweep, run_workers, sweep_done

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--scale', default='gpu'); ap.add_argument('--pairs', nargs='+', default=None)
    ap.add_argument('--workers', type=int, default=8); ap.add_argument('--time_limit', type=float, default=None)
    ap.add_argument('--runs', default='runs'); ap.add_argument('--results', default='results')
    args = ap.parse_args()
    pairs = args.pairs or list(STUDY_SCALES[args.scale]['mixtures'])
    every = [j for pair in pairs for j in study_jobs(pair, args.scale)]
    root, started = Path(args.runs)/args.scale, time.time()
    deadline = started + args.time_limit if args.time_limit else None
    run = run_workers if args.workers > 1 else run_sweep
    run(every, root, **(dict(workers=args.workers) if args.workers > 1 else {}), progress=False, deadline=deadline)
    write_results(every, root, Path(args.results)/args.scale)
    done, total = sweep_done(every, root)
    print(f"{done} of {total} jobs done in {time.time() - started:.0f} s; results in {Path(args.results)/args.scale}/", flush=True)
    sys.exit(0 if done == total else 3)
