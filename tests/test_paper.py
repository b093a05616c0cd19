"""The paper's spec at its own sizes, checked offline as a user without a GPU or the data sees it: the plan (GPUs,
memory a GPU, GPU-hours), the repositories to download, the multi-node sbatch scripts, and bad input in one line
each."""
import json, os, re
import pandas as pd, pytest
from conftest import BIN, ROOT, run

OFFLINE = dict(os.environ, HF_HUB_OFFLINE='1', HF_DATASETS_OFFLINE='1')
OFFLINE.pop('SD_HUB_MIRROR', None)
MIRROR = dict(OFFLINE, SD_HUB_MIRROR=str(ROOT/'nbs/fixtures/hub'))

def check(spec, *args, env=OFFLINE):
    return run(BIN/'sd-reproduce', '--spec', spec, '--check', '--runs', ROOT/'runs', *args, env=env)

@pytest.mark.parametrize('spec, model, gpus', [('paper', 't5-3b', 32), ('paper-770m', 't5-770m', 8)])
def test_the_plan_before_the_data(spec, model, gpus):
    "The plan prints without the data or a GPU; then each repository missing is named with the command that fetches it."
    r = check(f'specs/{spec}.yaml')
    pretrain = re.search(rf'^ +8 pretrain \({model}\): {gpus} GPUs a job, ([\d.]+) GiB a GPU .* ([\d,]+) GPU-hours$',
                         r.stdout, re.M)
    assert pretrain and float(pretrain[1]) < 72, r.stdout  # fits an 80 GiB card, CUDA's share aside
    assert re.search(rf'^ +150 finetune \({model}\): 1 GPU a job', r.stdout, re.M), r.stdout
    assert 'vocabulary: 250,100 ids' in r.stdout and 'MFU' in r.stdout
    missing = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(missing) == 8, r.stderr  # the tokenizer, four pools, three tasks
    assert all('could not be reached (offline)' in l and '`hf download ' in l for l in missing), r.stderr

def test_a_model_that_does_not_fit_its_gpus_is_one_line():
    "T5-3B's pretraining on one node: 32 sequences a GPU do not fit, and the error says what would."
    r = check('specs/paper.yaml', '--nodes', '1')
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert re.match(r'sd-reproduce: pretrain t5-3b needs \d+ GiB on each GPU \(8 a job; .*activation_checkpointing',
                    r.stderr), r.stderr

def test_the_sbatch_scripts_across_nodes_without_the_data(tmp_path):
    r = run(BIN/'sd-reproduce', '--spec', 'specs/paper.yaml', '--launcher', 'slurm', '--dry_run', '--runs', tmp_path,
            env=OFFLINE)
    assert r.returncode == 0, r.stderr
    for line in ('#SBATCH --nodes=4', '#SBATCH --gpus-per-node=8', '#SBATCH --ntasks-per-node=1', '\nsrun '):
        assert line in r.stdout, line

def test_the_toy_spec_and_its_data_are_ready():
    r = check('specs/paper-toy.yaml', env=MIRROR)
    assert r.returncode == 0 and 'paper-toy: the spec and its data are ready' in r.stdout, r.stderr[-2000:]

@pytest.mark.parametrize('task, message', [
    ("{dataset: wmt/wmt17, config: xx-en}", "task en-de: wmt/wmt17 has no config 'xx-en'; it has de-en"),
    ("{dataset: wmt/wmt19, config: de-en}",
     "task en-de: dataset wmt/wmt19 could not be reached (offline): on a machine online run `hf download wmt/wmt19")])
def test_a_dataset_that_is_not_there_is_one_line(tmp_path, task, message):
    spec = tmp_path/'bad.yaml'
    spec.write_text(f"extends: {ROOT/'specs/paper-toy.yaml'}\nname: bad\ntasks: {{en-de: {task}}}\n"
                    "mixtures: {en-de: [{en: 0.5, de: 0.5}]}\n")  # an extending spec's tasks and mixtures: its own
    r = check(spec, env=MIRROR)
    assert r.returncode == 1 and r.stderr.startswith(f'sd-reproduce: {spec}: {message}'), r.stderr
    assert len([l for l in r.stderr.splitlines() if l.strip()]) == 1, r.stderr

def test_the_paper_spec_at_toy_size_end_to_end(tmp_path):
    """specs/paper-toy.yaml, all three tasks, with local workers: its data read from the hub-layout fixtures through the
    spec's own `datasets` calls, each pretraining run sharded (a group of one process here; two in test_slurm.py and
    test_pipeline.py), every checkpoint finetuned and scored, the notebooks run."""
    r = run(BIN/'sd-reproduce', '--spec', 'specs/paper-toy.yaml', '--workers', '2', '--runs', tmp_path/'runs',
            '--results', tmp_path/'results', '--out', tmp_path/'out', '--quiet', env=MIRROR, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    for pair in ('en-de', 'en-fr', 'en-ro'):
        table = pd.read_csv(tmp_path/'results'/'paper-toy'/f'{pair}.csv')
        assert len(table) == 4 and table.D_p.gt(0).sum() == 3 and table.bleu.notna().all(), (pair, table)
        assert (tmp_path/'out'/'paper-toy'/f'{pair}.ipynb').exists()
    records = [json.loads(p.read_text()) for p in (tmp_path/'runs'/'paper-toy').glob('pretrain-*/run/pretrain.json')]
    assert sorted(r['config']['mixture'] for r in records) == ['en50-de50', 'en50-fr50', 'en50-ro50']
    assert all(r['config']['sharding'] == 'fsdp' and r['config']['optimizer'] == 'adafactor' for r in records)

def test_a_batch_that_does_not_split_over_its_gpus_is_one_line():
    r = check('specs/paper.yaml', '--nodes', '3')
    assert r.returncode == 1 and r.stderr.strip() == ('sd-reproduce: pretrain.batch_size 256 does not split over the 24 '
                                                      'GPUs of a pretraining job (cluster.nodes x cluster.gpus)'), r.stderr

def test_streamed_pools_need_their_test_segments_removed(tmp_path):
    "A pool streamed from the hub cannot be read whole before training, so its overlap with the test sets is removed."
    spec = tmp_path/'refuse.yaml'
    spec.write_text(f"extends: {ROOT/'specs/paper-toy.yaml'}\nname: refuse\ntest_overlap: refuse\n")
    r = check(spec, env=MIRROR)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and 'set test_overlap: remove' in r.stderr, \
        r.stderr
