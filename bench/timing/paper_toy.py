"""How long the paper's spec takes at toy size on this machine (`specs/paper-toy.yaml`): the whole study, from the
hub-layout fixtures, each pretraining run two processes sharding one model (FSDP over gloo), by `sd-reproduce` with
local workers; and what sharding costs a pretraining run, beside the same run unsharded on one process.

    .venv/bin/python bench/timing/paper_toy.py [--workers 2]

Appends one JSON line to bench/results/paper_toy.jsonl: the machine, the study's wall seconds, and the pretraining
seconds of the toy's first mixture three ways (one process unsharded; two processes sharded, with Adafactor, recomputed
activations and micro-batches of 2, as the spec sets them; the same on one process).
"""
import json, os, subprocess, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import ROOT, machine, parser

BIN = Path(sys.executable).parent
ENV = dict(os.environ, SD_HUB_MIRROR=str(ROOT/'nbs/fixtures/hub'), HF_HUB_OFFLINE='1', HF_DATASETS_OFFLINE='1',
           OMP_NUM_THREADS='1', SD_LEVERS='fp32')
PRETRAIN = ['--mixture', 'en50-ro50', '--preset', 'smoke', '--input_length', '64', '--batch_size', '8', '--lr', '1e-2',
            '--warmup_steps', '10', '--optimizer', 'adafactor', '--milestones', '8000', '16000', '32000',
            '--save_every', '10', '--quiet', '--tokenizer', 'tokenizer-2k']
SHARDED = ['--sharding', 'fsdp', '--activation_checkpointing', '--micro_batch_size', '2']
LAUNCH = [BIN/'accelerate', 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1',
          '--mixed_precision', 'no', '--dynamo_backend', 'no', '--main_process_port', '29561']

def timed(*command) -> float:
    "Wall seconds of `command` run from the repository's root; an error if it fails."
    start = time.perf_counter()
    subprocess.run([str(c) for c in command], cwd=ROOT, env=ENV, check=True, capture_output=True)
    return time.perf_counter() - start

if __name__ == '__main__':
    ap = parser(__doc__, repeats=None); ap.add_argument('--workers', type=int, default=2); args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        study = timed(BIN/'sd-reproduce', '--spec', 'specs/paper-toy.yaml', '--runs', tmp/'runs', '--results',
                      tmp/'results', '--out', tmp/'out', '--workers', args.workers, '--quiet')
        plain = timed(BIN/'sd-pretrain', tmp/'plain', *PRETRAIN)
        two = timed(*LAUNCH, BIN/'sd-pretrain', tmp/'two', *PRETRAIN, *SHARDED)
        one = timed(BIN/'sd-pretrain', tmp/'one', *PRETRAIN, *SHARDED)
    from scaling_downstream.pretrain import PretrainConfig
    steps = PretrainConfig('en50-ro50', milestones=[8000, 16000, 32000], preset='smoke', input_length=64,
                           batch_size=8).steps
    record = dict(machine=machine(), workers=args.workers, study_s=round(study, 1), pretrain_steps=steps,
                  pretrain_plain_1_process_s=round(plain, 1), pretrain_sharded_2_processes_s=round(two, 1),
                  pretrain_sharded_1_process_s=round(one, 1), when=time.strftime('%Y-%m-%d'))
    with open(ROOT/'bench/results/paper_toy.jsonl', 'a') as f: f.write(json.dumps(record) + '\n')
    print(json.dumps(record, indent=1))
