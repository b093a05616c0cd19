"README.md is made from index.ipynb (`make readme`); CI keeps the two in step."
from conftest import BIN, ROOT, run

def test_readme_is_in_step_with_index():
    r = run(BIN/'jupyter', 'nbconvert', '--log-level', 'WARN', '--to', 'markdown', 'index.ipynb', '--stdout')
    assert r.returncode == 0, r.stderr
    assert r.stdout == (ROOT/'README.md').read_text(), "README.md is stale: run `make readme` and commit it"

def test_index_runs():
    "The front page's example runs as shown."
    r = run(BIN/'jupyter', 'nbconvert', '--log-level', 'WARN', '--to', 'notebook', '--execute', '--stdout', 'index.ipynb')
    assert r.returncode == 0, r.stderr
