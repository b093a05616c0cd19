"""The speed levers are correct, never how fast they are: a compiled run trains the model an eager one does, bf16 trains
what fp32 does to within its precision, bf16 stays off where the CPU lacks it and the run still trains, and a run's
records say which levers made it."""
import json, os, sys
from pathlib import Path
import torch
from conftest import BIN, run
from scaling_downstream.finetune import FinetuneConfig, finetune
from scaling_downstream.machine import Levers
from scaling_downstream.pretrain import PretrainConfig, checkpoints, pretrain

TINY = dict(d_model=32, d_kv=16, num_heads=2, d_ff=64, num_layers=1, feed_forward_proj='gated-gelu',
            tie_word_embeddings=True)  # compiles fastest
FINETUNE = FinetuneConfig('en-ro', d_f=20_000, preset=TINY, lr=3e-3, batch_size=16, max_steps=12, eval_every=6,
                          valid_pairs=50)

def agree(a: list, b: list, rtol: float) -> bool: return all(abs(x - y) <= rtol * abs(y)
                                                             for x, y in zip(a, b, strict=True))

def curves(levers: str) -> tuple[list, dict]:
    "The training losses and validation CEs of `FINETUNE` under `levers`, and its record."
    torch.set_num_threads(1)
    record = finetune(FINETUNE, progress=False, levers=Levers.parse(levers))[1]
    return [v for c in record['curve'] for v in (c['train_loss'], c['valid_ce'])], record

def test_compiled_and_eager_finetunes_agree():
    """A finetune of batches of every length (one dynamic graph) compiled and eager, in fp32: the same losses and
    validation CE."""
    (eager, a), (compiled, b) = curves('fp32'), curves('fp32+compile')
    assert (a['levers'], b['levers']) == ('fp32', 'fp32+compile')
    assert agree(compiled, eager, 1e-4), (compiled, eager)  # the order of float sums, no more

def test_bf16_finetune_agrees_with_fp32():
    "bf16 autocast (fp32 weights) against fp32: the same curve to within bf16's 8-bit mantissa."
    (fp32, _), (bf16, record) = curves('fp32'), curves('bf16')
    assert record['levers'] == 'bf16' and agree(bf16, fp32, 2e-2), (bf16, fp32)

def test_compiled_and_eager_pretraining_agree(tmp_path):
    """Pretraining (one static graph) compiled and eager, in bf16: the same loss at every logged step; the levers
    recorded."""
    torch.set_num_threads(1)
    config = PretrainConfig('en50-ro50', milestones=[16_000], preset=TINY, input_length=64, batch_size=16, lr=3e-3,
                            warmup_steps=5)
    for lv in ('bf16', 'bf16+compile'): assert pretrain(config, tmp_path/lv, progress=False, levers=Levers.parse(lv),
                                                        log_every=2)
    logs = {lv: json.loads((Path(checkpoints(tmp_path/lv).path.iloc[-1])/'checkpoint.json').read_text())
            for lv in ('bf16', 'bf16+compile')}
    assert [r['levers'] for r in logs.values()] == ['bf16', 'bf16+compile']
    assert agree([r['loss'] for r in logs['bf16+compile']['log']], [r['loss'] for r in logs['bf16']['log']], 1e-2)
    assert json.loads((tmp_path/'bf16+compile'/'pretrain.json').read_text())['machine']['levers'] == 'bf16+compile'

def test_a_cpu_without_bf16_trains_in_fp32():
    """Torch's AVX2 kernels and oneDNN held to AVX2, as on a CPU of AVX2 only: no bf16 in the choice, and a run trains
    and records fp32."""
    code = ("import torch; torch.set_num_threads(1)\n"
            "from scaling_downstream.machine import choose_levers, cpu_info\n"
            "from scaling_downstream.finetune import FinetuneConfig, finetune\n"
            "assert cpu_info()['capability'] != 'AVX512', cpu_info()\n"
            "levers = choose_levers('cpu', 10_000); assert not levers.bf16, levers\n"
            "config = FinetuneConfig('en-ro', d_f=10_000, preset='smoke', batch_size=16, max_steps=4, eval_every=4, "
            "valid_pairs=20)\n"
            "print(finetune(config, progress=False)[1]['levers'])\n")
    env = {k: v for k, v in os.environ.items() if k != 'SD_LEVERS'}
    r = run(sys.executable, '-c', code, env=dict(env, ATEN_CPU_CAPABILITY='avx2', ONEDNN_MAX_CPU_ISA='AVX2'))
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip() == 'fp32', r.stdout  # a finetune of 4 steps: too short to compile

def test_sd_levers_chooses_and_a_bad_value_fails_in_one_line(tmp_path):
    "`SD_LEVERS` overrides the choice; a value that names no levers fails before any work, in one line."
    r = run(sys.executable, '-c',
            "from scaling_downstream.machine import choose_levers; print(choose_levers('cpu', 10**4))",
            env=dict(os.environ, SD_LEVERS='fp32'))
    assert r.stdout.strip() == 'fp32', r.stderr[-2000:]
    r = run(BIN/'sd-finetune', tmp_path/'f', '--pair', 'en-ro', env=dict(os.environ, SD_LEVERS='bf16+xla'))
    assert (r.returncode == 1 and "SD_LEVERS: levers 'bf16+xla'" in r.stderr
            and 'Traceback' not in r.stderr), r.stderr[-2000:]
    assert not (tmp_path/'f').exists()
