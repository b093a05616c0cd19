"""What the benchmarks share: the line that names the machine, the --repeats option, and where their tables go.

It stays at bench/ while the scripts live in bench/<kind>/ (README.md); a script that uses it starts with
`sys.path.insert(0, str(Path(__file__).resolve().parents[1]))`. Importing it also puts every bench/<kind>/ folder on
`sys.path`, so that a script imports another by its name wherever that one lives (`from step_profile import FINETUNE`).
"""
import argparse, sys
from pathlib import Path
import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
KINDS = ('timing', 'checks', 'experiments', 'plans', 'tables', 'tools')  # bench/<kind>/: README.md says which is which
for _kind in KINDS:
    if str(BENCH/_kind) not in sys.path: sys.path.append(str(BENCH/_kind))

def machine() -> str:
    """The processor (model, the flags that change its kernels, torch's vector kernels), its cores and numpy's version:
    a benchmark's first line."""
    from scaling_downstream.machine import cpu_info
    cpu = cpu_info()
    flags = ' '.join(cpu['flags']) or 'no AVX2'
    return f"{cpu['model']} ({flags}; torch {cpu['capability']}), {cpu['cores']} cores, numpy {np.__version__}"

def parser(doc: str, repeats: int|None=5) -> argparse.ArgumentParser:
    "The command line of a benchmark described by the first line of `doc`, with --repeats unless `repeats` is None."
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    if repeats is not None: ap.add_argument('--repeats', type=int, default=repeats)
    return ap

def write_table(table, name: str, float_format: str='%.6g') -> Path:
    "`table` as bench/results/`name` (CSV), its path relative to the repository."
    out = ROOT/'bench/results'/name
    table.to_csv(out, index=False, float_format=float_format)
    return out.relative_to(ROOT)
