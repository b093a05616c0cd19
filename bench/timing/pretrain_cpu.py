"""Pretraining throughput of the `cpu` preset on this machine: the real loop (`pretrain`) on the embedded corpus.

    .venv/bin/python bench/timing/pretrain_cpu.py [--tokens 600000] [--preset cpu]

Prints the steady-state rate from the run's log (the first 10% of steps, warm-up and first allocations, left out):
tokens of text per second (D_p per second), input and target tokens per second, and the step time."""
import argparse, sys, tempfile, time
from pathlib import Path
import pandas as pd, torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import machine
from scaling_downstream.pretrain import PretrainConfig, pretrain, span_corruption_lengths
from scaling_downstream.model import parameter_counts
from scaling_downstream.mixtures import token_pools

p = argparse.ArgumentParser()
p.add_argument('--tokens', type=float, default=600_000)
p.add_argument('--preset', default='cpu')
p.add_argument('--mixture', default='en50-fr50')
args = p.parse_args()
token_pools()  # count the pools first (cached on disk after the first time), so that the timing is training only
config = PretrainConfig(args.mixture, milestones=[int(args.tokens)], preset=args.preset, save_every=10**9)
with tempfile.TemporaryDirectory() as d:
    started = time.perf_counter()
    pretrain(config, Path(d)/'run', progress=False, log_every=10)
    wall = time.perf_counter() - started
    log = pd.read_csv(Path(d)/'run'/'log.csv')
steady = log[log.step > log.step.max() * 0.1]
raw, target = span_corruption_lengths(config.input_length)
text_rate = steady.tokens_per_s.median()
step_s = config.tokens_per_step / text_rate
print(f"{machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}")
print(f"preset {args.preset}: {parameter_counts(args.preset)['total']/1e6:.2f}M parameters, batch {config.batch_size} x input {config.input_length} "
      f"(text {raw}, targets {target}), {config.steps} steps, {wall:.1f} s wall in all")
print(f"text tokens/s (D_p rate): {text_rate:,.0f} median (min {steady.tokens_per_s.min():,.0f}, max {steady.tokens_per_s.max():,.0f})")
print(f"input tokens/s: {text_rate * config.input_length / raw:,.0f}; input + target tokens/s: {text_rate * (config.input_length + target) / raw:,.0f}; "
      f"{step_s*1000:.0f} ms per step; final loss {log.loss.iloc[-1]:.3f}")
