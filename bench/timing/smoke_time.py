"""The wall time of the smoke pipeline that tests/test_pipeline.py runs, which the test no longer asserts (its budget
was 60 s): `sd-pretrain` (three checkpoints), `sd-finetune` of the last one and `sd-evaluate` with a tiny local COMET,
in sequence, the same arguments as the test's. The smoke study's time (budget 180 s) is
bench/timing/progress_estimate.py's.

Usage: python bench/timing/smoke_time.py [--repeats N]
"""
import argparse, subprocess, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import machine

ROOT, BIN = Path(__file__).resolve().parents[2], Path(sys.executable).parent
PRETRAIN = ['--mixture', 'en50-ro50', '--preset', 'smoke', '--input_length', '64', '--batch_size', '16', '--lr', '3e-3',
            '--warmup_steps', '20', '--milestones', '20000', '40000', '80000', '--quiet']
FINETUNE = ['--pair', 'en-ro', '--d_f', '50000', '--preset', 'smoke', '--lr', '3e-3', '--batch_size', '32', '--max_steps', '60',
            '--eval_every', '30', '--valid_pairs', '100', '--quiet']

def pipeline(tmp: Path, comet: Path) -> dict:
    "Each stage's seconds, running them as the test does."
    run = lambda *args: subprocess.run([str(a) for a in args], cwd=ROOT, capture_output=True, text=True, check=True)
    stages, started = {}, time.perf_counter()
    run(BIN/'sd-pretrain', tmp/'pt', *PRETRAIN); stages['sd-pretrain'] = time.perf_counter() - started
    last = sorted((tmp/'pt'/'checkpoints').glob('Dp-*'))[-1]
    run(BIN/'sd-finetune', tmp/'ft', '--init', last, *FINETUNE); stages['sd-finetune'] = time.perf_counter() - started - sum(stages.values())
    run(BIN/'sd-evaluate', tmp/'ft', '--limit', '100', '--out', tmp/'test.json', '--comet', comet)
    stages['sd-evaluate'] = time.perf_counter() - started - sum(stages.values())
    return stages

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=1)
    args = parser.parse_args()
    from scaling_downstream.evaluate import build_tiny_comet
    print(machine())
    for i in range(args.repeats):
        with tempfile.TemporaryDirectory() as d:
            comet = build_tiny_comet(Path(d)/'tiny-comet')
            stages = pipeline(Path(d), comet)
        print(f"smoke pipeline {i + 1}: {sum(stages.values()):.0f} s (" + ', '.join(f"{k} {s:.0f} s" for k, s in stages.items()) + ")")
