"""Whether pretraining in this checkout and in another (an earlier commit's) ends on the same weights, bit for bit.

Usage: python bench/checks/same_weights.py OTHER_CHECKOUT [--steps 625]
(for example `git worktree add /tmp/base <commit>` first). Pretrains the same smoke-preset run (en50-fr50, 64-token
inputs, batch 16, warm-up 20 steps) in each checkout, one after the other in processes of their own with one torch
thread, and compares every checkpoint's tensors with `torch.equal` and the logs' loss and learning-rate columns
exactly. Exits 1 if a weight differs.
"""
import argparse, os, subprocess, sys, tempfile
from pathlib import Path
import pandas as pd, torch
from safetensors.torch import load_file

ROOT = Path(__file__).resolve().parents[2]
RUN = '''
import sys
sys.path.insert(0, sys.argv[1])
from scaling_downstream.pretrain import PretrainConfig, pretrain
tokens = int(sys.argv[3]) * 1120  # 16 sequences of 70 text tokens a step
pretrain(PretrainConfig('en50-fr50', milestones=[tokens // 3, tokens], preset='smoke', input_length=64, batch_size=16, lr=3e-3,
                        warmup_steps=20, save_every=100), sys.argv[2], progress=False)
'''

def pretrained(checkout: Path, out: Path, steps: int) -> Path:
    r = subprocess.run([sys.executable, '-c', RUN, str(checkout), str(out), str(steps)], cwd=ROOT, capture_output=True, text=True,
                       env=dict(os.environ, OMP_NUM_THREADS='1'))
    if r.returncode: sys.exit(f"pretraining with {checkout} failed: {r.stderr[-2000:]}")
    return out

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('other'); ap.add_argument('--steps', type=int, default=625)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = (pretrained(c, Path(tmp)/name, args.steps) for c, name in ((ROOT, 'ours'), (Path(args.other).resolve(), 'theirs')))
        same = True
        for ck in sorted((ours/'checkpoints').iterdir()):
            a, b = load_file(ck/'model.safetensors'), load_file(theirs/'checkpoints'/ck.name/'model.safetensors')
            equal = sum(torch.equal(a[k], b[k]) for k in a)
            same &= equal == len(a) == len(b)
            print(f"{ck.name}: {equal} of {len(a)} tensors equal")
        x, y = (pd.read_csv(r/'log.csv', float_precision='round_trip') for r in (ours, theirs))
        print(f"log: {len(x)} rows to step {x.step.max()}; loss differs at {int((x.loss != y.loss).sum())}, "
              f"learning rate at {int((x.lr != y.lr).sum())} (largest relative difference {float(((x.lr - y.lr).abs() / y.lr).max()):.1e})")
    sys.exit(0 if same else 1)
