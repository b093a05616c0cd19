"""The SLURM launcher against a real SLURM: a one-node cluster started on this machine (Debian's slurm-wlm and munge,
installed when missing), the study's jobs submitted through submitit, killed, failed, resubmitted and cancelled.
Select with `pytest -m slurm`; needs root (to start the daemons) as CI and the project's machines have."""
import json, os, re, signal, subprocess, sys
from pathlib import Path
import pandas as pd, pytest
from conftest import BIN, ROOT, reproduce, run, script, wait_for
from slurm_node import one_node_slurm

pytestmark = pytest.mark.slurm

LAUNCHER = '''
import sys
from scaling_downstream.pretrain import PretrainConfig
from scaling_downstream.finetune import FinetuneConfig
from scaling_downstream.jobs import finetune_job, pretrain_job
from scaling_downstream.slurm import Cluster, run_slurm
root, resubmits, processes, jobs, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
pt = pretrain_job(PretrainConfig('en50-ro50', milestones=[20_000, last], preset='smoke', input_length=64, batch_size=16,
                                 lr=3e-3, warmup_steps=20, save_every=10))
ft = FinetuneConfig('en-ro', d_f=30_000, preset='smoke', lr=3e-3, batch_size=32, max_steps=10, eval_every=10, valid_pairs=50)
specs = [pt] + ([finetune_job(ft, pt, m, limit=20) for m in (20_000, last)] if jobs != 'pretrain' else [])
if jobs == 'failing': specs.append(finetune_job(FinetuneConfig('en-ro', d_f=10**10, preset='smoke', max_steps=10), limit=20))  # more data than there is
cluster = Cluster(time=10, cpus=processes, processes=processes, resubmits=resubmits)
try: run_slurm(specs, root, cluster, poll=0.5, say=lambda line: print(line, flush=True))
except RuntimeError as e: sys.exit(f"launcher: {e}")
'''

@pytest.fixture(scope='module')
def slurm(tmp_path_factory):
    if os.geteuid() != 0: pytest.skip("starting SLURM's daemons needs root")
    with one_node_slurm(tmp_path_factory.mktemp('slurm')) as conf: yield conf

@pytest.fixture(scope='module')
def launcher(tmp_path_factory): return script(tmp_path_factory, 'launcher', LAUNCHER)

def launch(launcher, root, resubmits=2, processes=1, jobs='all', last=300_000):
    "The launcher on a pretraining job to D_p=`last` and (`jobs`) two finetunes of it, and one that fails ('failing'), or none ('pretrain')."
    return subprocess.Popen([sys.executable, str(launcher), str(root), str(resubmits), str(processes), jobs, str(last)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # a pytest-xdist worker ignores Ctrl-C, and a child inherits that

def slurm_job(root, kind):
    "The SLURM job id of the `kind` job of the sweep in `root` (its record beside its spec)."
    return next(json.loads(p.read_text())['job_id'] for p in Path(root).glob(f'{kind}-*/slurm.json'))

TIMING = ['finetune_seconds', 'decode_seconds', 'seconds']
AGAIN = '''
import sys
from scaling_downstream.grid import STUDY_SCALES, study_jobs
from scaling_downstream.slurm import cluster_for, run_slurm
run_slurm(study_jobs('en-ro', 'smoke'), sys.argv[1], cluster_for(STUDY_SCALES['smoke']), poll=0.5)
'''

def test_a_smoke_pair_through_slurm_gives_the_local_table(slurm, smoke_study, tmp_path):
    """`sd-reproduce --launcher slurm` for one pair of the smoke study (each SLURM job pays ~13 s of Python and torch
    starting, bench/timing/slurm_overhead.py): every job a SLURM job (one core each, as a local worker has), a finetune
    after its pretraining, the same table as the local workers' (that pair of the smoke study run locally), the
    notebooks and figures."""
    local, _ = smoke_study
    r = reproduce(tmp_path, '--scale', 'smoke', '--pairs', 'en-ro', '--launcher', 'slurm')
    assert r.returncode == 0, r.stderr[-3000:]
    assert re.search(r"^7 jobs: 0 done, 7 submitted", r.stderr, re.M) and r.stderr.count('\ndone    ') == 7, r.stderr[-3000:]
    ours, theirs = (pd.read_csv(root/'results/smoke/en-ro.csv').drop(columns=TIMING) for root in (tmp_path, local))
    assert list(ours.columns) == list(theirs.columns)
    for column in ours.columns: pd.testing.assert_series_equal(ours[column], theirs[column], obj=f'en-ro {column}')
    assert (tmp_path/'out/smoke/en-ro_fig2_aligned.png').exists() and (tmp_path/'out/smoke/findings.csv').exists()
    again = run(sys.executable, '-c', AGAIN, tmp_path/'runs/smoke')  # nothing missing: nothing submitted (sd-reproduce's call, without its notebooks)
    assert again.returncode == 0 and again.stdout.startswith('7 jobs: 7 done, 0 submitted'), again.stdout[-2000:] + again.stderr[-2000:]

def test_bad_cluster_settings_are_one_clear_line(slurm, tmp_path):
    for args, message in [(['--partition', 'gpu-huge'], "partition 'gpu-huge' is not one of this cluster's: debug"),
                          (['--time', '0'], '--time 0.0: should be greater than 0'),
                          (['--gpus', '0'], '--gpus 0: should be greater than or equal to 1'),
                          (['--partition', 'debug\n#SBATCH --wrap=x'], "--partition 'debug\\n#SBATCH --wrap=x': holds a control")]:
        r = reproduce(tmp_path, '--scale', 'smoke', '--launcher', 'slurm', *args)
        assert r.returncode == 1 and r.stderr.strip().startswith(f'sd-reproduce: {message}'), (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    (tmp_path/'a-file').write_text('not a folder')  # root writes anywhere it can make a folder: a path under a file it cannot
    r = run(BIN/'sd-reproduce', '--scale', 'smoke', '--launcher', 'slurm', '--runs', tmp_path/'a-file'/'runs', '--quiet')
    assert r.returncode == 1 and 'sd-reproduce: --runs' in r.stderr and 'cannot write in' in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    r = run(BIN/'sd-reproduce', '--scale', 'smoke', '--launcher', 'slurm', env={k: v for k, v in os.environ.items() if k != 'PATH'} | {'PATH': str(BIN)})
    assert r.returncode == 1 and r.stderr.strip() == "sd-reproduce: no sbatch on the PATH: run this on a SLURM login node (or where SLURM's commands are installed)", r.stderr

def test_killed_job_rerun_and_a_failure_reported(slurm, launcher, tmp_path):
    root = tmp_path/'runs'
    proc = launch(launcher, root, resubmits=0, jobs='failing')  # killed jobs are not submitted again: the rerun must do it
    assert wait_for(lambda: any(root.glob('pretrain-*/run/resume/progress.json'))), "pretraining never saved its state"
    subprocess.run(['scancel', slurm_job(root, 'pretrain')], check=True)  # mid-run
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 1, out
    failing = next(k for k in (p.parent.name for p in root.glob('finetune-*/slurm.json'))
                   if json.loads((root/k/'spec.json').read_text())['config']['d_f'] == 10**10)
    failure = next(l for l in out.splitlines() if l.startswith('FAILED') and failing in l)
    record = json.loads((root/failing/'slurm.json').read_text())
    # the failed job named by its key, SLURM job id, log and the last line of its error
    assert f"SLURM job {record['job_id']}" in failure and record['log'] in failure and 'D_f=10,000,000,000 tokens' in failure, failure
    assert Path(record['log']).exists()
    assert any(l.startswith('FAILED  pretrain') and 'killed by the scheduler' in l for l in out.splitlines()), out
    assert sum(l.startswith('FAILED  finetune') and 'not run: its pretraining job' in l for l in out.splitlines()) == 2, out  # cancelled with it
    step = json.loads(next(root.glob('pretrain-*/run/resume/progress.json')).read_text())['step']
    assert not any(root.glob('pretrain-*/done.json')) and step > 0
    # the same command again submits only what is missing and finishes it; pretraining continues from its saved state
    proc = launch(launcher, root)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    assert out.splitlines()[0].startswith('3 jobs: 0 done, 3 submitted'), out
    log = pd.read_csv(next(root.glob('pretrain-*/run/log.csv')))
    assert log.step.is_unique and log.step.min() < step < log.step.max()  # one run, not started over
    assert sum(l.startswith('done') for l in out.splitlines()) == 3 and len(list(root.glob('finetune-*/metrics.json'))) == 2

def test_ctrl_c_cancels_what_was_submitted(slurm, launcher, tmp_path):
    root = tmp_path/'runs'
    proc = launch(launcher, root)
    assert wait_for(lambda: len(list(root.glob('*/slurm.json'))) == 3)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert 'cancelled 3 SLURM jobs' in out, out
    ids = [json.loads(p.read_text())['job_id'] for p in root.glob('*/slurm.json')]
    live = subprocess.run(['squeue', '-h', '-r', '-o', '%i'], capture_output=True, text=True).stdout.split()
    assert not set(ids) & set(live), (ids, live)

def test_the_paper_spec_at_toy_size_through_slurm(slurm, tmp_path):
    """specs/paper-toy.yaml, the paper's spec at a toy size, for its en-ro task end to end through SLURM (its three
    tasks run with local workers in test_paper.py): mC4 and WMT read through the same `datasets` calls from a folder
    laid out as the hub's repositories (nothing online), the mT5-style tokenizer from there too, the pretraining job
    two processes sharding one model (FSDP over gloo) in its allocation, every checkpoint finetuned and scored, the
    notebook run."""
    env = dict(os.environ, SD_HUB_MIRROR=str(ROOT/'nbs/fixtures/hub'), HF_HUB_OFFLINE='1', HF_DATASETS_OFFLINE='1')
    r = run(BIN/'sd-reproduce', '--spec', 'specs/paper-toy.yaml', '--pairs', 'en-ro', '--launcher', 'slurm', '--runs',
            tmp_path/'runs', '--results', tmp_path/'results', '--out', tmp_path/'out', '--quiet', env=env, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    table = pd.read_csv(tmp_path/'results'/'paper-toy'/'en-ro.csv')
    # the baseline (D_p 0) and a checkpoint at each milestone, taken at the first step past it
    assert len(table) == 4 and table.D_p.gt(0).sum() == 3 and table.bleu.notna().all(), table
    record = json.loads(next((tmp_path/'runs'/'paper-toy').glob('pretrain-*/run/pretrain.json')).read_text())
    config = record['config']
    assert (record['processes'], config['sharding'], config['tokenizer']) == (2, 'fsdp', 'google/mt5-small')
    assert record['preset']['vocab_size'] < 2000  # the fixture's SentencePiece model, in the layout of mT5's

def test_a_dry_run_across_nodes_asks_for_them():
    "A pretraining job on 2 nodes of 8 GPUs: both nodes, their GPUs, one task each (srun starts them); no SLURM needed."
    from scaling_downstream.grid import STUDY_SCALES, study_jobs
    from scaling_downstream.slurm import cluster_for, dry_run, launch_command
    cluster = cluster_for(STUDY_SCALES['smoke'], dict(nodes=2, gpus=8))
    (pretraining, _), _, (finetunes, _) = dry_run(study_jobs('en-ro', 'smoke'), 'runs', cluster)
    for line in ('#SBATCH --nodes=2', '#SBATCH --gpus-per-node=8', '#SBATCH --ntasks-per-node=1', '\nsrun '):
        assert line in pretraining, (line, pretraining)
    assert '#SBATCH --nodes=1' in finetunes and '#SBATCH --gpus-per-node=1' in finetunes, finetunes
    assert ' '.join(launch_command(8, 2, 0, 'gpu-1', 29501)[3:7]) == '--num_processes 16 --num_machines 2'

def test_a_job_across_nodes_needs_gpus():
    from scaling_downstream.slurm import Cluster
    with pytest.raises(ValueError, match='^cluster nodes=2: a job across nodes trains on GPUs; give gpus per node$'):
        Cluster(nodes=2)

def test_a_gpu_spec_on_a_partition_without_gpus_is_one_clear_line(slurm, tmp_path):
    "The test cluster's node has no GPUs: a study that asks for them is refused before anything is submitted."
    r = reproduce(tmp_path, '--scale', 'smoke', '--launcher', 'slurm', '--gpus', '1')
    message = ("sd-reproduce: partition debug: its nodes have no GPUs (gres (null)), "
               "but each pretraining job asks for 1 GPU per node (cluster.gpus)")
    assert r.returncode == 1 and r.stderr.strip() == message, r.stderr
    assert not (tmp_path/'runs').exists() or not list((tmp_path/'runs').rglob('slurm.json'))

TWO_NODES = '''
import sys
from scaling_downstream.pretrain import PretrainConfig
from scaling_downstream.jobs import pretrain_job
from scaling_downstream.sweep import plan_sweep
print(plan_sweep([pretrain_job(PretrainConfig('en50-ro50', milestones=[20_000], preset='smoke', input_length=64,
                                              batch_size=16, lr=3e-3, warmup_steps=20, save_every=10))], sys.argv[1])[0])
'''
NODE = 'import sys; from scaling_downstream.slurm import node_job; print(node_job(sys.argv[1], sys.argv[2], 1, 1, 2))'

def test_a_job_across_two_nodes_trains_as_one(tmp_path):
    """The two tasks of a 2-node SLURM job, one process each, played on this machine (SLURM's variables set as srun sets
    them): node_job on each starts accelerate launch, they meet at the first node and train as one run of 2 processes
    (gloo on a CPU); run again, both say it is done."""
    root = tmp_path/'runs'
    key = run(sys.executable, '-c', TWO_NODES, root, check=True).stdout.split()[-1]
    slurm_env = dict(os.environ, SUBMITIT_EXECUTOR='slurm', SLURM_JOB_ID='4242', SLURM_JOB_NUM_NODES='2',
                     SLURM_JOB_NODELIST='localhost', SLURM_NTASKS='2', SLURM_LOCALID='0', OMP_NUM_THREADS='1')
    def nodes():
        procs = [subprocess.Popen([sys.executable, '-c', NODE, root, key], cwd=ROOT, text=True, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, env=dict(slurm_env, SLURM_NODEID=str(r), SLURM_PROCID=str(r)))
                 for r in (0, 1)]
        outs = [p.communicate(timeout=400)[0] for p in procs]
        assert all(p.returncode == 0 for p in procs), outs
        return [out.split()[-1] for out in outs]
    assert nodes() == ['ran', 'ran']
    assert json.loads((root/key/'run'/'pretrain.json').read_text())['processes'] == 2 and (root/key/'done.json').exists()
    assert nodes() == ['done', 'done']
