"""Whether two study runs gave the same results: every results table and pretraining log, column by column.

Usage: python bench/checks/same_results.py RUN_A RUN_B
where each RUN is a folder given to `sd-reproduce` as --results RUN/results --runs RUN/runs (for example two smoke
studies, one made before a refactoring and one after, on the same machine with the same thread count). Timing columns
(`*seconds*`, `tokens_per_s`, `mfu`, `elapsed_s`) are left out: they are never the same twice. Exits 1 on any difference.
"""
import sys
from pathlib import Path
import pandas as pd

TIMING = ('seconds', 'tokens_per_s', 'mfu', 'elapsed_s')

def tables(run: Path) -> dict:
    "{relative path: table} of every results CSV and pretraining log under `run`."
    found = {p.relative_to(run): p for p in [*run.glob('results/*/*.csv'), *run.glob('results/*/*/*.csv'), *run.glob('runs/*/pretrain-*/run/log.csv')]}
    return {k: pd.read_csv(p, float_precision='round_trip') for k, p in sorted(found.items())}  # every bit: pandas' default parser can read two neighbouring floats as one

def compare(a: dict, b: dict) -> list[str]:
    "One line per difference between the tables `a` and `b`."
    problems = [f"{k}: only in one run" for k in sorted(set(a) ^ set(b))]
    for k in sorted(set(a) & set(b)):
        x, y = a[k], b[k]
        cols = [c for c in x.columns if not any(t in c for t in TIMING)]
        if list(x.columns) != list(y.columns) or len(x) != len(y): problems.append(f"{k}: other columns or rows"); continue
        problems += [f"{k}: column {c} differs" for c in cols if not x[c].equals(y[c])]
    return problems

if __name__ == '__main__':
    if len(sys.argv) != 3: sys.exit(__doc__)
    a, b = (tables(Path(p)) for p in sys.argv[1:])
    if not a: sys.exit(f"no results tables under {sys.argv[1]}")
    problems = compare(a, b)
    differing = {p.split(':')[0] for p in problems}
    tables = len(set(a) | set(b))
    print('\n'.join(problems + [f"the other {tables - len(differing)} of {tables} tables the same"]) if problems else
          f"same: {len(a)} tables ({', '.join(str(k) for k in list(a)[:3])}, ...), timing columns aside")
    sys.exit(1 if problems else 0)
