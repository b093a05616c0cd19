"""What the paper's study costs on GPUs, at each size: `sd-reproduce --spec specs/<spec>.yaml --check` for paper
(T5-3B), paper-770m and paper-small, run offline, as a user without the data yet sees it.

    .venv/bin/python bench/plans/paper_plan.py [--out bench/results/paper_plan.txt]

A plan, not a measurement: no GPU has run this project. Memory a GPU holds is counted from the models' shapes and the
activations a forward pass saves (on PyTorch's meta device); GPU-hours are FLOPs at an assumed MFU of an H100's bf16
peak (`plan.MFU_ASSUMED`). Offline, each check ends by naming what to download; that part is kept too.
"""
import argparse, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPECS = ('paper', 'paper-770m', 'paper-small')

def check(spec: str) -> str:
    "What `--check` prints for `spec` with the hub off limits: the plan, then the first line of what is missing."
    env = dict(os.environ, HF_HUB_OFFLINE='1', HF_DATASETS_OFFLINE='1')
    env.pop('SD_HUB_MIRROR', None)
    r = subprocess.run([str(Path(sys.executable).parent/'sd-reproduce'), '--spec', f'specs/{spec}.yaml', '--check'],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    missing = [l for l in r.stderr.splitlines() if 'could not be reached' in l]
    return (f"$ sd-reproduce --spec specs/{spec}.yaml --check   (offline)\n{r.stdout.rstrip()}\n"
            f"  then {len(missing)} repositories to download, each named with its `hf download` command\n")

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=str(ROOT/'bench/results/paper_plan.txt'))
    args = parser.parse_args()
    text = '\n'.join(check(spec) for spec in SPECS)
    Path(args.out).write_text(text)
    print(text)
