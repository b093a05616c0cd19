"README.md is made from index.ipynb (`make readme`); CI keeps the two in step."
import json, re
from conftest import BIN, ROOT, run

def test_readme_is_in_step_with_index():
    r = run(BIN/'jupyter', 'nbconvert', '--log-level', 'WARN', '--to', 'markdown', 'index.ipynb', '--stdout')
    assert r.returncode == 0, r.stderr
    assert r.stdout == (ROOT/'README.md').read_text(), "README.md is stale: run `make readme` and commit it"

NUMBER = re.compile(r'-?\d[\d,]*\.?\d*(?:e[+-]?\d+)?')

def shown(cell) -> str:
    "What a code cell shows: its printed text and the text (markdown, else plain) of its results."
    parts = [o.get('text', '') if o['output_type'] == 'stream' else o.get('data', {}).get('text/markdown') or o.get('data', {}).get('text/plain', '')
             for o in cell.get('outputs', [])]
    return ''.join(''.join(p) if isinstance(p, list) else p for p in parts)

def same_but_digits(a: str, b: str) -> bool:
    "The same text, numbers within 1% (a fit's last digits move with the CPU's arithmetic)."
    x, y = NUMBER.findall(a), NUMBER.findall(b)
    if NUMBER.sub('#', a) != NUMBER.sub('#', b) or len(x) != len(y): return False
    num = lambda s: float(s.replace(',', ''))
    return all(u == v or abs(num(u) - num(v)) <= 0.01 * max(abs(num(u)), abs(num(v))) + 1e-9 for u, v in zip(x, y))

def test_index_runs_as_shown():
    "The front page, executed now, shows what the committed one shows: every cell's output, numbers within 1%."
    r = run(BIN/'jupyter', 'nbconvert', '--log-level', 'WARN', '--to', 'notebook', '--execute', '--stdout', 'index.ipynb')
    assert r.returncode == 0, r.stderr
    committed = [c for c in json.loads((ROOT/'index.ipynb').read_text())['cells'] if c['cell_type'] == 'code']
    executed = [c for c in json.loads(r.stdout)['cells'] if c['cell_type'] == 'code']
    assert len(committed) == len(executed) and all(shown(c) for c in committed)  # every cell shows something
    stale = [(''.join(c['source'])[:80], shown(c)[:300], shown(e)[:300]) for c, e in zip(committed, executed) if not same_but_digits(shown(c), shown(e))]
    assert not stale, f"index.ipynb shows other outputs when run (run `make readme` after executing it): {stale}"
