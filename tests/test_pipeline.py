"The study's three commands as a user runs them at smoke scale: the pipeline, a kill and resume, two processes, determinism."
import json, os, signal, subprocess, time
from pathlib import Path
import pandas as pd, pytest, torch
from conftest import BIN, ROOT, run

PRETRAIN = ['--mixture', 'en50-ro50', '--preset', 'smoke', '--input_length', '64', '--batch_size', '16', '--lr', '3e-3',
            '--warmup_steps', '20', '--quiet']
TIMING = ('decode_seconds', 'sentences_per_s', 'seconds', 'elapsed_s')

def weights(path):
    from transformers import T5ForConditionalGeneration
    return T5ForConditionalGeneration.from_pretrained(path).state_dict()

def last_checkpoint(run_dir): return sorted((Path(run_dir)/'checkpoints').glob('Dp-*'))[-1]

def without_timings(obj):
    if isinstance(obj, dict): return {k: without_timings(v) for k, v in obj.items() if k not in TIMING and k != 'init' and k != 'curve'}
    return obj

def pipeline(tmp, comet=None, pretrained=None):
    "Pretrain (unless given a `pretrained` run), finetune the last checkpoint, evaluate: the evaluation record."
    if pretrained is None:
        r = run(BIN/'sd-pretrain', tmp/'pt', *PRETRAIN, '--milestones', '20000', '40000', '80000')
        assert r.returncode == 0, r.stderr
    r = run(BIN/'sd-finetune', tmp/'ft', '--pair', 'en-ro', '--d_f', '50000', '--init', last_checkpoint(pretrained or tmp/'pt'), '--preset', 'smoke',
            '--lr', '3e-3', '--batch_size', '32', '--max_steps', '60', '--eval_every', '30', '--valid_pairs', '100', '--quiet')
    assert r.returncode == 0 and 'best valid CE' in r.stdout, r.stderr
    r = run(BIN/'sd-evaluate', tmp/'ft', '--limit', '100', '--out', tmp/'test.json', *(['--comet', comet] if comet else []))
    assert r.returncode == 0 and 'BLEU' in r.stdout, r.stderr
    return json.loads((tmp/'test.json').read_text())

@pytest.fixture(scope='module')
def smoke_run(tmp_path_factory):
    """The three commands in sequence at smoke scale, scored with a tiny local COMET: the folder and the record (their
    time: bench/timing/smoke_time.py)."""
    from scaling_downstream.evaluate import build_tiny_comet
    tmp = tmp_path_factory.mktemp('smoke')
    comet = build_tiny_comet(tmp/'tiny-comet')
    return tmp, pipeline(tmp, comet)

def test_smoke_pipeline_runs(smoke_run):
    tmp, record = smoke_run
    assert [p.name for p in sorted((tmp/'pt'/'checkpoints').iterdir())] == ['Dp-000000020160', 'Dp-000000040320', 'Dp-000000080640']
    assert record['bleu_signature'].startswith('nrefs:1|case:mixed|eff:no|tok:13a')
    import sacrebleu  # the record scores the translations it wrote beside it
    written = pd.read_csv(tmp/'test.tsv', sep='\t', keep_default_na=False)
    again = sacrebleu.corpus_bleu(list(written.hyp), [list(written.ref)])
    assert (record['bleu'], record['brevity_penalty']) == (again.score, again.bp)
    assert isinstance(record['comet'], float) and record['comet_model'] == str(tmp/'tiny-comet')  # the real COMET path
    assert 0 < record['ce'] < 9.2 and record['finetune']['D_p'] == 80640 and record['finetune']['mixture'] == 'en50-ro50'
    assert (tmp/'test.tsv').read_text().count('\n') == 101

def test_help_explains_each_command():
    for command, words in [('sd-pretrain', ('--mixture', '--milestones', '--preset', 'accelerate', 'resume')),
                           ('sd-finetune', ('--pair', '--d_f', '--init', 'from scratch', '--patience')),
                           ('sd-evaluate', ('--beams', '--comet', 'COMET: no model', '--limit'))]:
        r = run(BIN/command, '--help')
        assert r.returncode == 0 and all(w in r.stdout for w in words), (command, r.stdout)

def test_killed_run_resumes_to_the_same_weights(tmp_path):
    args = [*PRETRAIN, '--milestones', '40000', '120000', '--save_every', '7']
    assert run(BIN/'sd-pretrain', tmp_path/'whole', *args).returncode == 0
    proc = subprocess.Popen([str(BIN/'sd-pretrain'), str(tmp_path/'killed'), *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    progress, deadline = tmp_path/'killed'/'resume'/'progress.json', time.time() + 120
    while time.time() < deadline and not (progress.exists() and json.loads(progress.read_text())['step'] >= 30): time.sleep(0.05)
    time.sleep(0.3)  # somewhere between two saves
    proc.send_signal(signal.SIGKILL); proc.wait()
    step = json.loads(progress.read_text())['step']
    assert 30 <= step < json.loads(progress.read_text())['steps'], 'the run finished before it could be killed'
    r = run(BIN/'sd-pretrain', tmp_path/'killed', *args)
    assert r.returncode == 0, r.stderr
    a, b = weights(last_checkpoint(tmp_path/'whole')), weights(last_checkpoint(tmp_path/'killed'))
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not list((tmp_path/'killed').glob('.*'))  # no temporary folder left behind

def test_two_processes_train_one_model(tmp_path):
    "Two CPU processes (gloo) under `accelerate launch` split each batch and end with the single-process model."
    env = dict(os.environ, OMP_NUM_THREADS='1', SD_LEVERS='fp32')  # bf16 rounds each split batch its own way
    args = [*PRETRAIN, '--milestones', '20000', '40000']
    r = run(BIN/'accelerate', 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1', '--mixed_precision', 'no',
            '--dynamo_backend', 'no', '--main_process_port', '29533', BIN/'sd-pretrain', tmp_path/'two', *args, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads((tmp_path/'two'/'pretrain.json').read_text())['processes'] == 2
    assert run(BIN/'sd-pretrain', tmp_path/'one', *args, env=env).returncode == 0
    a, b = weights(last_checkpoint(tmp_path/'two')), weights(last_checkpoint(tmp_path/'one'))
    start = weights(sorted((tmp_path/'one'/'checkpoints').glob('Dp-*'))[0])
    moved = max(float((b[k] - start[k]).abs().max()) for k in b)
    gap = max(float((a[k] - b[k]).abs().max()) for k in a)
    assert gap < 1e-3 * moved, (gap, moved)  # the same model up to the order of float sums

def test_bad_input_fails_before_any_work(tmp_path):
    "Each bad input ends in one line naming it, before anything is written (in-process: one import of torch, not five)."
    from scaling_downstream.cli import sd_pretrain, sd_finetune, sd_evaluate
    cases = [(sd_pretrain, (tmp_path/'p',), dict(mixture='en60-fr50'), 'sd-pretrain: fractions sum to 1.1'),
             (sd_pretrain, (tmp_path/'p',), dict(preset='huge'), "unknown model preset 'huge'"),
             (sd_pretrain, (tmp_path/'p',), dict(mixture='ro', milestones=[1e9]), 'epochs'),
             (sd_finetune, (tmp_path/'f',), dict(pair='en-ro', d_f=1e10), 'but the training data has only'),
             (sd_evaluate, (tmp_path,), dict(comet=tmp_path/'none'), 'holds no finetuned model')]
    for command, args, kwargs, message in cases:
        with pytest.raises(SystemExit) as e: command.__wrapped__(*map(str, args), **{k: str(v) if isinstance(v, Path) else v for k, v in kwargs.items()})
        assert message in str(e.value), (command.__name__, kwargs, e.value)
    assert not (tmp_path/'p').exists() and not (tmp_path/'f').exists()
    r = run(BIN/'sd-pretrain', tmp_path/'p', '--preset', 'huge')  # and as a command: exit status 1, no traceback
    assert r.returncode == 1 and "unknown model preset 'huge'" in r.stderr and 'Traceback' not in r.stderr, r.stderr[-2000:]

def test_sharded_run_killed_and_resumed_to_the_same_weights(tmp_path):
    """Two processes pretraining one model sharded by FSDP (gloo on a CPU), with Adafactor, recomputed activations and
    micro-batches: killed whole between two saves and started again, the run ends at the weights of an uninterrupted
    one, each process having written and read back its own share of the state; and that is the model one process
    trains unsharded, up to the order of float sums."""
    env = dict(os.environ, OMP_NUM_THREADS='1', SD_LEVERS='fp32')
    launch = [BIN/'accelerate', 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1',
              '--mixed_precision', 'no', '--dynamo_backend', 'no', '--main_process_port', '29541', BIN/'sd-pretrain']
    args = ['--mixture', 'en50-ro50', '--preset', 'smoke', '--input_length', '64', '--batch_size', '8', '--lr', '1e-2',
            '--warmup_steps', '10', '--optimizer', 'adafactor', '--sharding', 'fsdp', '--activation_checkpointing',
            '--micro_batch_size', '2', '--milestones', '10000', '20000', '--save_every', '5', '--quiet']
    r = run(*launch, tmp_path/'whole', *args, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    proc = subprocess.Popen([str(a) for a in (*launch, tmp_path/'killed', *args)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    progress, deadline = tmp_path/'killed'/'resume'/'progress.json', time.time() + 240
    while time.time() < deadline and not (progress.exists() and json.loads(progress.read_text())['step'] >= 10):
        time.sleep(0.05)
    time.sleep(0.5)  # somewhere between two saves
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()
    step, steps = (json.loads(progress.read_text())[k] for k in ('step', 'steps'))
    assert 10 <= step < steps, 'the run finished before it could be killed'
    assert sorted(p.name for p in (tmp_path/'killed'/'resume'/'sharded').glob('*.distcp')) == ['__0_0.distcp', '__1_0.distcp']
    r = run(*launch, tmp_path/'killed', *args, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    a, b = weights(last_checkpoint(tmp_path/'whole')), weights(last_checkpoint(tmp_path/'killed'))
    assert all(torch.equal(a[k], b[k]) for k in a)
    record = json.loads((tmp_path/'killed'/'pretrain.json').read_text())
    assert (record['processes'], record['config']['sharding']) == (2, 'fsdp')
    plain = [a for a in args if a not in ('--sharding', 'fsdp', '--activation_checkpointing')]
    assert run(BIN/'sd-pretrain', tmp_path/'one', *plain, env=env).returncode == 0
    one, start = weights(last_checkpoint(tmp_path/'one')), weights(sorted((tmp_path/'one'/'checkpoints').glob('Dp-*'))[0])
    moved = max(float((one[k] - start[k]).abs().max()) for k in one)
    gap = max(float((one[k] - a[k]).abs().max()) for k in one)
    assert gap < 1e-3 * moved, (gap, moved)
