"""Whether `evaluate.bleu` gives the same record, to the last bit, in this checkout and in another (an earlier commit's).

Usage: python bench/checks/same_bleu.py OTHER_CHECKOUT
(for example `git worktree add /tmp/base <commit>` first). Scores the same translations with each checkout's `bleu`, in
a process of its own: the cpu study's example translations of every committed model (results/cpu/<pair>/examples.csv)
and, for a BLEU far above the floor, each pair's first 400 test references with 30% of their words dropped (three
seeds). Prints how many of the records are equal; exits 1 on any difference.
"""
import json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCORE = '''
import json, sys
import numpy as np, pandas as pd
sys.path.insert(0, sys.argv[1])
from scaling_downstream.evaluate import bleu
from scaling_downstream.userdata import task_pairs
records = []
for pair in ('en-de', 'en-fr', 'en-ro'):
    examples = pd.read_csv(f'{sys.argv[2]}/results/cpu/{pair}/examples.csv')
    for model in [c for c in examples.columns if c not in ('source', 'reference')]:
        records.append(bleu(examples[model].astype(str).tolist(), examples.reference.astype(str).tolist()))
    refs = task_pairs(pair, 'test').iloc[:400, 1].astype(str).tolist()
    for seed in range(3):
        rng = np.random.default_rng(seed)
        records.append(bleu([' '.join(w for w in r.split() if rng.random() > 0.3) for r in refs], refs))
print(json.dumps(records))
'''

def records(checkout: Path) -> list[dict]:
    "`bleu`'s records under `checkout`'s package, scored in a separate process."
    r = subprocess.run([sys.executable, '-c', SCORE, str(checkout), str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    if r.returncode: sys.exit(f"scoring with {checkout} failed: {r.stderr[-2000:]}")
    return json.loads(r.stdout.splitlines()[-1])

if __name__ == '__main__':
    if len(sys.argv) != 2: sys.exit(__doc__)
    ours, theirs = records(ROOT), records(Path(sys.argv[1]).resolve())
    same = sum(a == b for a, b in zip(ours, theirs))
    print(f"{same} of {len(ours)} records equal (BLEU {min(r['bleu'] for r in ours):.2f} to {max(r['bleu'] for r in ours):.2f})")
    sys.exit(0 if same == len(ours) == len(theirs) else 1)
