import os, subprocess, sys, time
from pathlib import Path
import numpy as np, pandas as pd, pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHINCHILLA = ROOT/'data/fixtures/chinchilla_svg_extracted_data.csv'
# The replication's answer for Hoffmann et al.'s approach 3 on these points (Besiroglu et al. 2024, Chinchilla Scaling: A
# replication attempt, arXiv 2404.10102, whose repository holds the digitised points of the fixture)
REPLICATION = dict(E=1.8172, A=477.84, B=2143.86, alpha=0.3473, beta=0.3672)

def pytest_configure(config):
    config.addinivalue_line('markers', 'slurm: runs a real one-node SLURM cluster on this machine (needs root)')

def apt_install(*packages: str) -> None:
    "Debian's `packages` by apt-get, one install at a time: two pytest workers may ask at once, and dpkg takes one."
    from filelock import FileLock
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    with FileLock('/tmp/scaling_downstream-apt.lock'):
        subprocess.run(['apt-get', 'update', '-qq'], check=True, env=env, capture_output=True)
        subprocess.run(['apt-get', 'install', '-y', '-qq', *packages], check=True, env=env, capture_output=True)

def run(*args, **kwargs):
    "Run a command from the repository root, capturing its output as text."
    return subprocess.run([str(a) for a in args], cwd=ROOT, capture_output=True, text=True, **kwargs)

@pytest.fixture
def bleu_csv(tmp_path):
    "A results table with two BLEU curves drawn from a known log-law, one per pair."
    from scaling_downstream.fit import log_law
    d_p = np.geomspace(1e6, 1e11, 8)
    rows = [dict(pair=pair, D_p=d, bleu=b) for pair, A in [('en-de', 1.5), ('en-fr', 3.0)]
            for d, b in zip(d_p, log_law(d_p, A=A, alpha=0.2, beta=2.0))]
    path = tmp_path/'results.csv'
    pd.DataFrame(rows).to_csv(path, index=False)
    return path

def wait_for(condition, seconds=180):
    "Whether `condition()` came true within `seconds` (a guard against a hang, not a measure of speed)."
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition(): return True
        time.sleep(0.05)
    return False

def script(tmp_path_factory, name: str, text: str) -> Path:
    "The Python script `text` written to a temporary folder of the session, for tests to run as a separate process."
    path = tmp_path_factory.mktemp(name)/f'{name}.py'
    path.write_text(text)
    return path

def reproduce(tmp_path, *args, quiet=True):
    "`sd-reproduce` with its runs, results and figures under `tmp_path`."
    return run(BIN/'sd-reproduce', '--runs', tmp_path/'runs', '--results', tmp_path/'results', '--out', tmp_path/'out',
               *(['--quiet'] if quiet else []), *args)

@pytest.fixture(scope='session')
def smoke_study(tmp_path_factory):
    """The README's main command at smoke scale, run once for the study's tests, its output captured as a pipe (not a
    terminal) gets it. Its time: bench/timing/progress_estimate.py."""
    tmp_path = tmp_path_factory.mktemp('smoke-study')
    return tmp_path, reproduce(tmp_path, '--scale', 'smoke', quiet=False)

MODULE_RUNS = {'test_corpus', 'test_docs', 'test_pipeline', 'test_sweep'}  # modules whose tests share a module fixture

def sharing_group(item) -> str|None:
    """The tests that share a fixture made once per worker, in one group: the smoke study's and the SLURM node's users
    (the SLURM test compares with the smoke study), and a module's own runs (`MODULE_RUNS`); None for every other test."""
    if {'smoke_study', 'slurm'} & set(item.fixturenames): return 'smoke-study'
    module = Path(item.nodeid.split('::')[0]).stem
    return module if module in MODULE_RUNS else None

@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own, which reads the groups into the tests' ids
def pytest_collection_modifyitems(items):
    """On two pytest-xdist workers (`make test`: `-n 2 --dist loadgroup`), the tests that share a fixture made once per
    worker (`sharing_group`) on one worker, the longest group first; every other test goes to whichever worker is free."""
    for item in items:
        if group := sharing_group(item): item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: sharing_group(item) != 'smoke-study')  # a stable sort: otherwise in the order collected
