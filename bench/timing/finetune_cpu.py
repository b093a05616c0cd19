"""Finetuning and decoding cost of the `cpu` preset on this machine, for sizing the cpu-scale study.

    .venv/bin/python bench/timing/finetune_cpu.py [--steps 200] [--pair en-fr] [--d_f 200000] [--decode 400]

Finetunes a new `cpu` model (the no-pretraining baseline) for a fixed number of steps (no early stop), then decodes the
first `--decode` test pairs greedily and the first quarter of them with beam 4."""
import argparse, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import machine
from scaling_downstream.finetune import FinetuneConfig, finetune
from scaling_downstream.evaluate import evaluate

p = argparse.ArgumentParser()
p.add_argument('--steps', type=int, default=200)
p.add_argument('--pair', default='en-fr')
p.add_argument('--d_f', type=int, default=200_000)
p.add_argument('--decode', type=int, default=400)
args = p.parse_args()
config = FinetuneConfig(args.pair, d_f=args.d_f, preset='cpu', max_steps=args.steps, eval_every=args.steps, patience=10**6, valid_pairs=300)
started = time.perf_counter()
model, record = finetune(config, progress=False)
seconds = time.perf_counter() - started
print(f"{machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}")
print(f"finetune cpu preset from scratch, {args.pair} D_f={record['tokens']:,} tokens ({record['pairs']:,} pairs), batch {config.batch_size}: "
      f"{record['steps']} steps in {seconds:.1f} s = {seconds / record['steps']:.3f} s/step "
      f"({record['steps'] * config.batch_size / seconds:.0f} pairs/s, one validation pass included); valid CE {record['valid_ce']:.3f}")
for beams, n in ((1, args.decode), (4, args.decode // 4)):
    r, _ = evaluate(model, args.pair, num_beams=beams, limit=n)
    print(f"decode {n} test pairs, beams={beams}: {r['decode_seconds']:.1f} s = {r['sentences_per_s']:.1f} sentences/s; "
          f"BLEU {r['bleu']:.2f}, CE {r['ce']:.3f}")
