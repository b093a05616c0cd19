"""Where a training step of the `cpu` preset spends its time on this machine, against the limits it could reach.

    .venv/bin/python bench/timing/step_profile.py [--threads 1] [--steps 40] [--levers fp32 bf16+compile]

For each set of levers (default: today's fp32, and the ones `choose_levers` picks here):

1. the limit: the CPU's matrix-product rate (GFLOP/s of a 2048 x 2048 product, fp32 and bf16), and bare training
   steps of the same model on random ids in a tight loop, at the study's pretraining batch (32 x 128 inputs, 29
   targets) and at the median batch of its large-D_f finetunes (128 pairs);
2. the pipeline: the real `pretrain` (the cpu study's settings, en50-fr50) and `finetune` (its large-D_f recipe) for
   --steps steps, each step split into data, forward (with the loss), backward, gradient clipping, optimiser,
   validation (one pass, spread over the recipe's 100 steps between passes) and the loop's own work (schedule, logs,
   checkpoints), by timing the pieces the loops call; a step that compiles (over three times the median) is left out
   and its seconds given apart;
3. where the bare step's time goes, by `torch.profiler`: matrix products, compiled kernels, other operators, the
   optimiser, and the time outside any operator (Python and the dispatcher).

One thread by default, as each of the study's two workers trains. Writes bench/results/step_profile.json.
"""
import json, sys, time
from pathlib import Path
from statistics import median
import numpy as np, torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import ROOT, machine, parser
import scaling_downstream.finetune as finetune_module
import scaling_downstream.pretrain as pretrain_module
from scaling_downstream.tokenizer import load_tokenizer
from scaling_downstream.finetune import FinetuneConfig, finetune, finetune_subset, task_order
from scaling_downstream.grid import STUDY_SCALES
from scaling_downstream.machine import Levers, autocast, choose_levers
from scaling_downstream.model import build_model, train_flops
from scaling_downstream.pretrain import PretrainConfig, pretrain

GRID = STUDY_SCALES['cpu']
PRETRAIN = dict(GRID['pretrain'], mixture='en50-fr50')
LARGE_D_F = max(GRID['d_f'])  # the recipe of the finetunes that translate (1.6M before the pairs' own test sets)
LARGE = GRID.get('at_d_f', {}).get(LARGE_D_F, {}).get('finetune', {})  # a scale's own recipe at that D_f, if it has one
FINETUNE = dict(GRID['finetune'], **LARGE, pair='en-fr', d_f=LARGE_D_F)

def matmul_rate(dtype, n: int=2048, seconds: float=2.0) -> float:
    "GFLOP/s of an n x n matrix product in `dtype`."
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    for _ in range(2): a @ b
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds: a @ b; count += 1
    return 2 * n**3 * count / (time.perf_counter() - start) / 1e9

def bare_step(levers: Levers, batch: int, inputs: int, targets: int, vocab: int):
    "A step function of a new `cpu` model on fixed random ids (AdamW, clipping), as the loops take it."
    model = build_model('cpu', seed=0, vocab_size=vocab)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    forward = torch.compile(model) if levers.compile else model
    x, y = torch.randint(0, vocab, (batch, inputs)), torch.randint(0, vocab, (batch, targets))
    def step():
        with autocast('cpu', levers.bf16): loss = forward(input_ids=x, labels=y).loss
        loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step(); optimizer.zero_grad(set_to_none=True)
    return step

def time_steps(step, steps: int, warm: int=3) -> float:
    "Median seconds of `step` over `steps` calls, after `warm` calls (a compiled step compiles in its first)."
    for _ in range(warm): step()
    times = []
    for _ in range(steps):
        t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
    return median(times)

OPS = {'matrix products': ('aten::mm', 'aten::bmm', 'aten::addmm', 'aten::baddbmm'),
       'compiled kernels': ('## Call CompiledFxGraph',)}

def op_shares(step, steps: int=5) -> dict:
    "Shares of the wall time of `steps` calls of `step` (already warm) by kind of operator, and outside any operator."
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        start = time.perf_counter()
        for _ in range(steps): step()
        wall = time.perf_counter() - start
    shares = dict.fromkeys([*OPS, 'optimiser', 'other operators'], 0.0)
    for e in prof.events():
        if e.name.startswith('Optimizer.step') or e.name.startswith('Optimizer.zero_grad'):
            shares['optimiser'] += e.cpu_time_total; continue
        parent, in_optimizer = e.cpu_parent, False
        while parent is not None and not in_optimizer:
            in_optimizer, parent = parent.name.startswith('Optimizer.'), parent.cpu_parent
        if in_optimizer: continue
        kind = next((k for k, names in OPS.items() if e.name.startswith(names)), 'other operators')
        shares[kind] += e.self_cpu_time_total
    shares = {k: v / 1e6 / wall for k, v in shares.items()}
    return dict(shares, **{'outside operators (Python, dispatch)': 1 - sum(shares.values())})

class Phases:
    """The pipeline's steps timed piece by piece: the loops' `train_step`, data and validation wrapped where they call
    them."""
    def __init__(self): self.steps, self.mark, self.data, self.validation = [], None, 0.0, 0.0
    def train_step(self, acc, model, optimizer, loss=None, max_grad_norm: float=1.0):
        t0 = time.perf_counter()  # the same three parts as core.train_step, each timed
        if loss is not None: acc.backward(loss)  # None: micro-batches went backward in the forward's time
        t1 = time.perf_counter()
        acc.clip_grad_norm_(model.parameters(), max_grad_norm); t2 = time.perf_counter()
        optimizer.step(); optimizer.zero_grad(set_to_none=True); t3 = time.perf_counter()
        if self.mark is not None:
            self.steps.append(dict(wall=t3 - self.mark['end'], data=self.data, validation=self.validation,
                                   forward=t0 - self.mark['fetched'], backward=t1 - t0, clip=t2 - t1,
                                   optimiser=t3 - t2))
        self.mark, self.data, self.validation = dict(end=t3, fetched=t3), 0.0, 0.0
    def timed(self, fn, kind: str):
        "`fn` with its time added to this step's `kind`; the end of a data call starts the forward pass."
        def wrapped(*args, **kwargs):
            t = time.perf_counter(); out = fn(*args, **kwargs); now = time.perf_counter()
            setattr(self, kind, getattr(self, kind) + now - t)
            if kind == 'data' and self.mark is not None: self.mark['fetched'] = now
            return out
        return wrapped
    def timed_iter(self, make):
        "A generator function like `make` whose every `next` counts as data."
        def wrapped(*args, **kwargs):
            it = make(*args, **kwargs)
            while True:
                try: item = self.timed(lambda: next(it), 'data')()
                except StopIteration: return
                yield item
        return wrapped
    def summary(self, skip: int) -> tuple[dict, list]:
        """Mean seconds of each piece over the steps after the first `skip`, the loop's own work as the rest; and the
        seconds of the steps left out because they compiled (over three times the median step)."""
        rows = self.steps[skip:]
        typical = median(r['wall'] for r in rows)
        steady = [r for r in rows if r['wall'] < 3 * typical]
        out = {k: sum(r[k] for r in steady) / len(steady) for k in rows[0]}
        out['loop (schedule, logs, checkpoints)'] = max(out['wall'] - sum(v for k, v in out.items() if k != 'wall'),
                                                        0.0)
        return out, [r['wall'] for r in rows if r['wall'] >= 3 * typical]

def pipeline_pretrain(levers: Levers, steps: int, tmp) -> tuple[dict, list, float]:
    "The pretraining loop's pieces per step, the steps that compiled, and its FLOPs a step."
    phases = Phases()
    config = PretrainConfig(**{**PRETRAIN, 'milestones': [steps * PretrainConfig(**PRETRAIN).tokens_per_step],
                               'save_every': 10**9})
    saved = pretrain_module.train_step, pretrain_module._prefetch
    pretrain_module.train_step, pretrain_module._prefetch = (phases.train_step,
                                                             phases.timed_iter(pretrain_module._prefetch))
    try: pretrain(config, tmp/f'pretrain-{levers}', progress=False, levers=levers, log_every=10**9)
    finally: pretrain_module.train_step, pretrain_module._prefetch = saved
    raw, targets = pretrain_module.span_corruption_lengths(config.input_length)
    flops = train_flops('cpu', config.input_length, targets,
                        vocab_size=len(load_tokenizer(config.tokenizer))) * config.batch_size
    return *phases.summary(skip=5), flops

def pipeline_finetune(levers: Levers, steps: int) -> tuple[dict, list, float]:
    """The finetuning loop's pieces per step, with its validation pass (run once, after the last step) spread over the
    recipe's `eval_every` steps; the steps that compiled; and its mean FLOPs a step."""
    phases, shapes = Phases(), []
    def collate(rows, device='cpu'):
        batch = real_collate(rows, device); shapes.append(tuple(batch['input_ids'].shape) + (batch['labels'].shape[1],))
        return batch
    real_collate, saved = finetune_module.collate, (finetune_module.train_step, finetune_module.collate,
                                                    finetune_module.cross_entropy)
    finetune_module.train_step, finetune_module.collate = phases.train_step, phases.timed(collate, 'data')
    finetune_module.cross_entropy = phases.timed(finetune_module.cross_entropy, 'validation')
    try: finetune(FinetuneConfig(**dict(FINETUNE, max_steps=steps, eval_every=10**6)), progress=False, levers=levers)
    finally: finetune_module.train_step, finetune_module.collate, finetune_module.cross_entropy = saved
    pieces, compiled = phases.summary(skip=5)
    # the pass after the last step, as often as the recipe runs it
    pieces['validation'] = phases.validation / FINETUNE['eval_every']
    pieces['wall'] += pieces['validation']
    vocab = len(load_tokenizer(FINETUNE['tokenizer']))
    return pieces, compiled, float(np.mean([train_flops('cpu', s, t, vocab_size=vocab) * b for b, s, t in shapes[5:]]))

def finetune_batches() -> dict:
    """The large-D_f finetunes' batches: the median batch (pairs, padded source and target lengths), and the share of
    padding in them as `length_batches` makes them (sorted within runs of 50 batches) and sorted over the whole set."""
    from scaling_downstream.pairs import length_batches
    tok = load_tokenizer(FINETUNE['tokenizer'])
    data = finetune_subset(task_order('en-fr', FINETUNE['tokenizer'], FINETUNE['max_tokens']), FINETUNE['d_f'], tok)
    src, tgt = data.src_ids.map(len).to_numpy(), data.tgt_ids.map(len).to_numpy()
    def shapes(pool):
        batches = length_batches(data, FINETUNE['batch_size'], np.random.default_rng(0), pool=pool)
        return [(len(b), src[b].max(), tgt[b].max()) for b in batches]
    padding = lambda pool: 1 - (src.sum() + tgt.sum()) / sum(n * (s + t) for n, s, t in shapes(pool))
    median_batch = [FINETUNE['batch_size'], int(median(s for _, s, _ in shapes(50))),
                    int(median(t for _, _, t in shapes(50)))]
    return dict(median_batch=median_batch, padding_share=padding(50), padding_share_sorted_whole=padding(len(data)))

def main():
    ap = parser(__doc__, repeats=None)
    ap.add_argument('--threads', type=int, default=1); ap.add_argument('--steps', type=int, default=40)
    ap.add_argument('--levers', nargs='+', default=None,
                    help="levers as records write them (default: fp32 and this machine's choice)")
    a = ap.parse_args()
    import tempfile
    from pathlib import Path
    torch.set_num_threads(a.threads)
    levers = ([Levers.parse(s) for s in a.levers] if a.levers else
              list(dict.fromkeys([Levers(), choose_levers('cpu', 10**4)])))
    vocab = len(load_tokenizer(PRETRAIN['tokenizer']))
    batches = finetune_batches()
    shapes = dict(pretraining=(PRETRAIN['batch_size'], PRETRAIN['input_length'], 29),
                  finetuning=tuple(batches['median_batch']))
    print(f"finetuning batches: padding {batches['padding_share']:.1%} of their tokens as batched, "
          f"{batches['padding_share_sorted_whole']:.1%} if sorted over the whole set")
    print(f"{machine()}, {a.threads} thread(s), torch {torch.__version__}")
    limits = dict(fp32=matmul_rate(torch.float32), bf16=matmul_rate(torch.bfloat16))
    print(f"matrix product 2048 x 2048: fp32 {limits['fp32']:.0f} GFLOP/s, bf16 {limits['bf16']:.0f} GFLOP/s")
    record = dict(machine=machine(), threads=a.threads, torch=torch.__version__, date=time.strftime('%Y-%m-%d'),
                  matmul_gflops=limits, shapes=shapes, finetune_batches=batches, runs=[])
    with tempfile.TemporaryDirectory() as tmp:
        for lv in levers:
            for stage, (b, n, m) in shapes.items():
                step = bare_step(lv, b, n, m, vocab)
                bare = time_steps(step, a.steps // 2)
                shares = op_shares(step)
                flops = train_flops('cpu', n, m, vocab_size=vocab) * b
                pipe, compiled, pipe_flops = (pipeline_pretrain(lv, a.steps, Path(tmp)) if stage == 'pretraining' else
                                              pipeline_finetune(lv, a.steps))
                limit = limits['bf16' if lv.bf16 else 'fp32']
                run = dict(levers=str(lv), stage=stage, batch=[b, n, m], bare_s=bare, bare_gflops=flops / bare / 1e9,
                           pipeline=pipe, compiling_steps_s=compiled, pipeline_gflops=pipe_flops / pipe['wall'] / 1e9,
                           op_shares=shares,
                           pipeline_of_bare=(pipe_flops / pipe['wall']) / (flops / bare),
                           pipeline_of_matmul=pipe_flops / pipe['wall'] / 1e9 / limit)
                record['runs'].append(run)
                print(json.dumps(run, default=lambda v: round(v, 4)), flush=True)
    out = ROOT/'bench/results/step_profile.json'
    out.write_text(json.dumps(record, indent=1, default=float) + '\n')
    print_tables(record)

def print_tables(record: dict) -> None:
    "The tables of bench/RESULTS.md from a record of this script."
    import pandas as pd
    rows = []
    for r in record['runs']:
        p = r['pipeline']
        rows.append({'stage': r['stage'], 'levers': r['levers'],
                     'bare step (ms)': 1000 * r['bare_s'], 'bare GFLOP/s': r['bare_gflops'],
                     'pipeline step (ms)': 1000 * p['wall'], 'pipeline GFLOP/s': r['pipeline_gflops'],
                     'pipeline / bare': r['pipeline_of_bare'], 'pipeline / matmul rate': r['pipeline_of_matmul']})
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt='.3g'))
    pieces = pd.DataFrame({f"{r['stage']}, {r['levers']}": {k: 1000 * v for k, v in r['pipeline'].items()}
                           for r in record['runs']})
    print('\nthe pipeline step, piece by piece (ms, means over the steps that did not compile):\n'
          + pieces.to_markdown(floatfmt='.1f'))
    print('\n'.join(f"{r['stage']}, {r['levers']}: {len(r['compiling_steps_s'])} steps compiled, "
                     f"{sum(r['compiling_steps_s']):.0f} s"
                     for r in record['runs'] if r['compiling_steps_s']))
    print('\n'.join(f"the bare {r['stage']} step, {r['levers']}: its matrix products at "
                     f"{r['bare_gflops'] / r['op_shares']['matrix products']:.0f} "
                     f"""GFLOP/s, {r['bare_gflops'] / r['op_shares']['matrix products']
                                   / record['matmul_gflops']['bf16' if 'bf16' in r['levers'] else 'fp32']:.0%} """
                     f"of the CPU's rate" for r in record['runs']))
    shares = pd.DataFrame({f"{r['stage']}, {r['levers']}": r['op_shares'] for r in record['runs']})
    print('\nthe bare step by torch.profiler (share of its wall time):\n' + (100 * shares).to_markdown(floatfmt='.1f'))

if __name__ == '__main__': main()
