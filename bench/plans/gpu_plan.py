"""How long a scale's study should take on one GPU: every job of `sd-reproduce --scale SCALE` counted in FLOPs and steps.

    .venv/bin/python bench/plans/gpu_plan.py [--scale gpu] [--mfu 0.2] [--peak 790e12] [--step_ms 15] [--workers 8]

An estimate, not a measurement: no GPU has run this project yet. Each pretraining job is its steps x batch x
`model.train_flops` of its shape; each finetune is bounded by its `max_steps` (early stopping usually ends it sooner)
x batch x the FLOPs of a pair at the length filter, padded to it. The GPU time of FLOP-bound work is FLOPs / (MFU x
peak), whatever the number of workers (they share one card); small models are bound by kernel launches instead, so a
step costs at least `--step_ms`, and that part does run in parallel on `--workers` processes. The estimate is the
larger of the two. `--peak` defaults to the bf16 rate this workplace's notes give for its H200 (790 TFLOP/s; the data
sheet says 989 dense).
"""
import argparse, collections
from scaling_downstream.tokenizer import load_tokenizer
from scaling_downstream.model import parameter_counts, train_flops
from scaling_downstream.pretrain import PretrainConfig, span_corruption_lengths
from scaling_downstream.grid import STUDY_SCALES, study_jobs
from scaling_downstream.jobs import job_key

def job_cost(job: dict, vocab: dict) -> tuple[str, float, int]:
    "The job's kind, its training FLOPs and its optimiser steps (finetunes: at most `max_steps`)."
    c = job['config']
    if job['kind'] == 'pretrain':
        config = PretrainConfig(**c)
        raw, target = span_corruption_lengths(config.input_length)
        return 'pretrain', config.steps * config.batch_size * train_flops(config.preset, config.input_length, target, vocab_size=vocab[c.get('tokenizer')]), config.steps
    side = (c.get('max_tokens') or c.get('max_length', 128)) + 1  # the length filter, and the end-of-sequence token
    return 'finetune', c['max_steps'] * c['batch_size'] * train_flops(c['preset'], side, side, vocab_size=vocab[c.get('tokenizer')]), c['max_steps']

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--scale', default='gpu'); ap.add_argument('--mfu', type=float, default=0.2)
    ap.add_argument('--peak', type=float, default=790e12); ap.add_argument('--step_ms', type=float, default=15.0)
    ap.add_argument('--workers', type=int, default=8)
    args = ap.parse_args()
    grid = STUDY_SCALES[args.scale]
    jobs = {job_key(j): j for pair in grid['mixtures'] for j in study_jobs(pair, args.scale)}  # pretraining runs are shared
    vocab = collections.defaultdict(lambda: None)
    for j in jobs.values(): vocab[j['config'].get('tokenizer')] = len(load_tokenizer(j['config'].get('tokenizer')))
    totals = collections.defaultdict(lambda: [0, 0.0, 0])
    for j in jobs.values():
        kind, flops, steps = job_cost(j, vocab)
        totals[kind][0] += 1; totals[kind][1] += flops; totals[kind][2] += steps
    preset = grid['pretrain']['preset']
    print(f"scale {args.scale}: preset {preset}, {parameter_counts(preset, vocab_size=vocab[grid['pretrain'].get('tokenizer')])['total']/1e6:.1f}M parameters; "
          f"D_p up to {max(grid['milestones'])/1e6:g}M tokens; D_f {', '.join(f'{d:,}' for d in grid['d_f'])}")
    seconds = 0.0
    for kind, (n, flops, steps) in totals.items():
        flop_s, launch_s = flops / (args.mfu * args.peak), steps * args.step_ms / 1e3 / args.workers
        seconds += max(flop_s, launch_s)
        print(f"{kind}: {n} jobs, {flops:.3g} FLOPs, {steps:,} steps -> {flop_s:.0f} s at {args.mfu:.0%} MFU, "
              f"{launch_s:.0f} s at {args.step_ms:g} ms a step on {args.workers} workers")
    print(f"estimate: {seconds/60:.1f} min of GPU time (the larger of the two, per kind; finetunes at their max_steps)")
