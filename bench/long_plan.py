"""What the long cpu study (specs/cpu-long.yaml) costs on this machine, priced from rates measured here the way the study
runs them: two one-thread workers side by side. First the study's two pretraining runs (English-only and 50/50, its own
settings) for --seconds each, side by side; then two of its finetunes from scratch (D_f = 1.6M, its settings) side by
side, after an untimed one-step finetune that pays the process's one-time costs (the first price, of 2026-12-06, paid
them inside its shorter count and so priced a step at less than half of what the study's finetunes took), timed at two
step counts so that the set-up (the model; the task's length filter is cached by then) and the cost per step come
apart, and one greedy decoding of the test pairs it scores. The sweep's own scheduler estimate (`estimate_left`: the jobs
in the order the workers take them, each to the worker free first) turns the rates into the study's wall time. Writes
bench/results/long_plan.json; prints the table for bench/RESULTS.md.

    .venv/bin/python bench/long_plan.py [--seconds 150] [--steps 10 60]
"""
import json, multiprocessing as mp, tempfile, time
from pathlib import Path
import pandas as pd
from common import ROOT, machine, parser
from scaling_downstream.grid import study_jobs
from scaling_downstream.sweep import estimate_left, job_cost

def pretrain_rate(config: dict, seconds: float, out) -> None:
    "Text tokens per second of a pretraining run of `config` on one thread, past its first fifth (warm-up and data set-up)."
    import torch
    from scaling_downstream.pretrain import PretrainConfig, pretrain
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        pretrain(PretrainConfig(**config), tmp, progress=False, time_limit=seconds)
        log = pd.read_csv(Path(tmp)/'log.csv')
    steady = log[log.elapsed_s > log.elapsed_s.max() / 5]
    out.put((config['mixture'], float((steady.tokens.iloc[-1] - steady.tokens.iloc[0]) / (steady.elapsed_s.iloc[-1] - steady.elapsed_s.iloc[0]))))

def finetune_rate(config: dict, steps: tuple, limit: int, decode: bool, out) -> None:
    "Seconds of a finetune of `config` on one thread at each step count of `steps` (no early stop), and of decoding `limit` test pairs."
    import torch
    from scaling_downstream.evaluate import evaluate
    from scaling_downstream.finetune import FinetuneConfig, finetune
    torch.set_num_threads(1)
    finetune(FinetuneConfig(**dict(config, max_steps=1, eval_every=1)), progress=False)  # the process's one-time costs (corpus, caches), untimed
    times = {}
    for n in steps:
        t0 = time.perf_counter()
        model, _ = finetune(FinetuneConfig(**dict(config, max_steps=n, eval_every=n)), progress=False)
        times[n] = time.perf_counter() - t0
    if decode:
        t0 = time.perf_counter()
        evaluate(model, config['pair'], max_tokens=config['max_tokens'], tokenizer=config['tokenizer'], limit=limit)
        times['decode'] = time.perf_counter() - t0
    out.put(times)

def side_by_side(target, argsets) -> list:
    "Run `target` once per argument tuple, all at the same time in their own processes; what each put in the queue."
    q = mp.get_context('spawn').Queue()
    procs = [mp.get_context('spawn').Process(target=target, args=(*args, q)) for args in argsets]
    for p in procs: p.start()
    got = [q.get() for _ in procs]
    for p in procs: p.join()
    return got

def main():
    ap = parser(__doc__, repeats=None)  # one measurement: no repeats
    ap.add_argument('--seconds', type=float, default=150); ap.add_argument('--steps', type=int, nargs=2, default=(10, 60))
    a = ap.parse_args()
    jobs = study_jobs('en-fr', 'cpu-long')
    pretrains = [j for j in jobs if j['kind'] == 'pretrain']
    finetunes = [j for j in jobs if j['kind'] == 'finetune']
    limit = finetunes[0]['evaluation']['limit']
    print(machine())
    rates = dict(side_by_side(pretrain_rate, [(j['config'], a.seconds) for j in pretrains]))
    ft = finetunes[0]['config']
    timed = side_by_side(finetune_rate, [(ft, tuple(a.steps), limit, i == 0) for i in range(2)])
    lo, hi = a.steps
    per_step = sum((t[hi] - t[lo]) / (hi - lo) for t in timed) / len(timed)
    setup = sum(t[lo] - lo * per_step for t in timed) / len(timed)
    decode = next(t['decode'] for t in timed if 'decode' in t)
    job_s = {}
    for j in jobs:
        kind, units = job_cost(j)
        job_s[(kind, units, j['config'].get('mixture', 'finetune'))] = (units / rates[j['config']['mixture']] if kind == 'pretrain'
                                                                        else setup + j['config']['max_steps'] * per_step + decode)
    samples = [(k, u, s) for (k, u, _), s in job_s.items()]
    order = sorted((job_cost(j) for j in jobs), key=lambda c: (c[0] != 'pretrain', -c[1]))  # run_workers: pretraining first, longest first
    wall = estimate_left(order, [], samples, workers=2)
    pretrain_wall = max(u / rates[j['config']['mixture']] for j in pretrains for _, u in [job_cost(j)])
    stages = [(f"pretraining {', '.join(f'{m} {r:,.0f} tokens/s' for m, r in rates.items())} to {max(pretrains[0]['config']['milestones']):,} "
               f"tokens, the two side by side", pretrain_wall),
              (f"{len(finetunes)} finetunes of {ft['max_steps']} steps of {ft['batch_size']} pairs ({per_step:.2f} s a step, {setup:.0f} s set-up) "
               f"and decoding ({decode:.0f} s), two at a time", wall - pretrain_wall),
              ('the study on two workers (scheduler estimate)', wall)]
    table = pd.DataFrame(stages, columns=['stage', 'seconds']).assign(minutes=lambda d: (d.seconds / 60).round(1))
    print(table.round(0).to_markdown(index=False))
    record = dict(machine=machine(), date=time.strftime('%Y-%m-%d'), pretrain_tokens_per_s=rates, finetune_s_per_step=per_step,
                  finetune_setup_s=setup, decode_s=decode, jobs=len(jobs), wall_s=wall, stages=stages)
    (ROOT/'bench/results/long_plan.json').write_text(json.dumps(record, indent=1) + '\n')

if __name__ == '__main__':
    main()
