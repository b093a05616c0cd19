"Sweeps as they are used: killed mid-pretraining and mid-evaluation and rerun; two workers on one sweep; `sd-job`."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pandas as pd, pytest
from conftest import BIN, ROOT, run, script, wait_for

WORKER = '''
import sys
from scaling_downstream.pretrain import PretrainConfig
from scaling_downstream.finetune import FinetuneConfig
from scaling_downstream.jobs import finetune_job, pretrain_job
from scaling_downstream.sweep import run_sweep
pt = pretrain_job(PretrainConfig('en50-ro50', milestones=[20_000, 40_000], preset='smoke', input_length=64, batch_size=16,
                                 lr=3e-3, warmup_steps=20, save_every=5))
ft = FinetuneConfig('en-ro', d_f=30_000, preset='smoke', lr=3e-3, batch_size=32, max_steps=20, eval_every=10, valid_pairs=100)
specs = [pt, finetune_job(ft, limit=30)] + [finetune_job(ft, pt, m, limit=30) for m in (20_000, 40_000)]
run_sweep(specs, sys.argv[1], progress=False, poll=0.1, report=True)  # progress.json while a job runs, as in run_workers
'''
TIMING = ['finetune_seconds', 'decode_seconds', 'seconds']

@pytest.fixture(scope='module')
def worker(tmp_path_factory): return script(tmp_path_factory, 'worker', WORKER)

@pytest.fixture(scope='module')
def uninterrupted(worker, tmp_path_factory):
    from scaling_downstream.results import results
    root = tmp_path_factory.mktemp('sweep')/'whole'
    assert run(sys.executable, worker, root).returncode == 0
    return results(root)

def start(worker, root, threads=None):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads)) if threads else None
    return subprocess.Popen([sys.executable, str(worker), str(root)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)

def histories(root):
    return {p.parent.name: [json.loads(l) for l in p.read_text().splitlines()] for p in Path(root).glob('*/history.jsonl')}

def test_killed_mid_pretraining_and_mid_evaluation_then_rerun(worker, uninterrupted, tmp_path):
    from scaling_downstream.results import results
    root = tmp_path/'sweep'
    proc = start(worker, root)  # killed while pretraining, after its first resume state
    assert wait_for(lambda: any(root.glob('pretrain-*/run/resume/progress.json')))
    proc.send_signal(signal.SIGKILL); proc.wait()
    assert not any(root.glob('pretrain-*/done.json'))
    proc = start(worker, root)  # killed while a finetune job holds its lock: finetuning or evaluating
    assert wait_for(lambda: any(root.glob('finetune-*/progress.json')))
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL); proc.wait()
    assert len(list(root.glob('finetune-*/metrics.json'))) < 3
    assert run(sys.executable, worker, root).returncode == 0  # takes over the dead worker's lock and completes
    again = results(root)
    pd.testing.assert_frame_equal(again.drop(columns=TIMING + ['key']), uninterrupted.drop(columns=TIMING + ['key']))
    assert all(sum(h['finished'] for h in hist) == 1 for hist in histories(root).values())  # nothing done twice

def test_two_workers_share_a_sweep(worker, uninterrupted, tmp_path):
    root = tmp_path/'sweep'
    procs = [start(worker, root, threads=1) for _ in range(2)]  # one core each
    for p in procs: assert p.wait(timeout=300) == 0, p.stderr.read()[-2000:]
    assert len({h[0]['pid'] for h in histories(root).values()}) == 2  # both workers ran jobs
    hist = histories(root)
    assert len(hist) == 4 and all(len(h) == 1 and h[0]['finished'] for h in hist.values())  # every job ran once
    from scaling_downstream.results import results
    assert len(results(root)) == 3
    from scaling_downstream.jobs import job_lock
    for job in root.glob('*-*/'):  # every lock released
        with job_lock(job) as free: assert free, job

def test_sd_job_runs_one_job(tmp_path):
    from scaling_downstream.jobs import read_job_spec
    from scaling_downstream.sweep import plan_sweep
    specs = {}
    exec(WORKER.replace('run_sweep(specs, sys.argv[1], progress=False, poll=0.1, report=True)', ''), specs)  # the worker's specs
    keys = plan_sweep(specs['specs'], tmp_path/'planned')
    finetune = next(k for k in keys if k.startswith('finetune') and read_job_spec(tmp_path/'planned', k)['pretrain'])
    r = run(BIN/'sd-job', finetune, '--root', tmp_path/'planned', '--quiet')
    assert r.returncode == 2 and 'its pretraining job is not done' in r.stdout
    assert run(BIN/'sd-job', keys[0], '--root', tmp_path/'planned', '--quiet').returncode == 0
    r = run(BIN/'sd-job', finetune, '--root', tmp_path/'planned', '--quiet')
    assert r.returncode == 0 and r.stdout.strip() == f'{finetune}: done', r.stderr[-2000:]
    assert run(BIN/'sd-job', finetune, '--root', tmp_path/'planned').stdout.strip() == f'{finetune}: already done'

def test_a_sweep_past_its_deadline_starts_nothing_and_says_what_is_left(tmp_path):
    "The time limit of a GPU session: past the deadline no job starts, the table holds what is done, and a later call goes on."
    import time
    from scaling_downstream.grid import study_jobs
    from scaling_downstream.sweep import run_sweep, sweep_done
    jobs = study_jobs('en-fr', 'smoke')
    table = run_sweep(jobs, tmp_path, progress=False, deadline=time.time())
    assert table.empty and sweep_done(jobs, tmp_path) == (0, len(jobs))
    assert not any((tmp_path/d/'metrics.json').exists() or (tmp_path/d/'done.json').exists() for d in [p.name for p in tmp_path.iterdir()])

def test_nothing_from_the_runs_folder_is_unpickled():
    """Resuming and watching read tensors and JSON from `runs/`, never a pickle, and no selection runs as Python: on the shared file system the README
    recommends for clusters, whoever can write there could run code as the user. (The corpus builder's restricted
    unpickler, `parsers.SafeUnpickler`, reads a Debian package's WordNet, never the runs folder.)"""
    import re
    from conftest import ROOT
    for path in sorted((ROOT/'scaling_downstream').glob('*.py')):
        text = path.read_text()
        assert 'weights_only=False' not in text and "engine='python'" not in text, path.name
        if path.name != 'parsers.py': assert not re.search(r'pickle\.loads?\(', text), path.name
