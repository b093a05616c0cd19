"""What a study at a built-in scale costs on this machine (by default the long cpu study, specs/cpu-long.yaml), priced
from rates measured here the way the study runs them: two one-thread workers side by side, with the levers the study's
jobs get (`choose_levers`, or $SD_LEVERS).

First two of the study's pretraining runs for --seconds each, side by side (its runs share one shape, so one rate
prices them all). Then, for each finetuning recipe of the study (its batch size), two of its finetunes from scratch
side by side. Each worker first runs an untimed finetune of 40 steps that pays the process's one-time costs: loading
the corpus, filling caches and, where the levers compile, compiling the step (the first price, of 2026-12-06, paid the
loads inside its shorter count and so priced a step at less than half of what the study's finetunes took). Then it is
timed at two step counts, so that the set-up (the model; the task's length filter is cached by then) and the cost per
step come apart, and the first worker decodes the test pairs the study scores. A finetune is priced at the steps the
committed run of the study took (results/<scale>/en-fr.csv: early stopping ends many before their maximum), or at its
maximum. The sweep's own scheduler estimate (`estimate_left`: the jobs in the order the workers take them, each to the
worker free first) turns the rates into the study's wall time, plus the warm-ups: the first pretraining steps' extra
time and each recipe's untimed finetune beyond its steps, from inductor's cache on this machine or (--cold) from an
empty one, as on a new machine. Writes
bench/results/plan_<scale>_<levers>.json; prints the table for bench/RESULTS.md.

    .venv/bin/python bench/plans/long_plan.py [--scale cpu-long] [--seconds 150] [--steps 20 120] [--cold]
"""
import json, multiprocessing as mp, os, sys, tempfile, time
from pathlib import Path
import pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import ROOT, machine, parser
from scaling_downstream.grid import study_jobs
from scaling_downstream.jobs import job_key
from scaling_downstream.progress import estimate_left, job_cost

WARM_STEPS = 40  # a compiled step meets most of the shapes it recompiles for in its first epoch's first batches

def pretrain_rate(config: dict, seconds: float, out) -> None:
    """Text tokens per second of a pretraining run of `config` on one thread, past its first fifth (warm-up, compiling,
    data set-up), and the seconds its first logged steps took beyond that rate."""
    import torch
    from scaling_downstream.pretrain import PretrainConfig, pretrain
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        pretrain(PretrainConfig(**config), tmp, progress=False, time_limit=seconds)
        log = pd.read_csv(Path(tmp)/'log.csv')
    steady = log[log.elapsed_s > log.elapsed_s.max() / 5]
    first, last = steady.iloc[0], steady.iloc[-1]
    rate = float((last.tokens - first.tokens) / (last.elapsed_s - first.elapsed_s))
    first_extra = float(log.elapsed_s.iloc[0] - log.tokens.iloc[0] / rate)  # compiling, in the first logged steps
    out.put((config['mixture'], rate, first_extra))

def finetune_rate(config: dict, steps: tuple, limit: int, decode: bool, out) -> None:
    """Seconds of a finetune of `config` on one thread: its warm-up, each step count of `steps` (no early stop), and
    decoding `limit` test pairs."""
    import torch
    from scaling_downstream.evaluate import evaluate
    from scaling_downstream.finetune import FinetuneConfig, finetune
    from scaling_downstream.machine import choose_levers
    torch.set_num_threads(1)
    levers = choose_levers('cpu', config['max_steps'])  # the study's finetunes' levers, not the shorter timings'
    t0 = time.perf_counter()
    finetune(FinetuneConfig(**dict(config, max_steps=WARM_STEPS, eval_every=WARM_STEPS)), progress=False, levers=levers)
    times = dict(warm=time.perf_counter() - t0, levers=str(levers))
    for n in steps:
        t0 = time.perf_counter()
        model, _ = finetune(FinetuneConfig(**dict(config, max_steps=n, eval_every=n)), progress=False, levers=levers)
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

def committed_steps(scale: str) -> dict:
    "{job key: finetuning steps} of the committed run of `scale`'s en-fr study (none if there is no table)."
    path = ROOT/'results'/scale/'en-fr.csv'
    return dict(pd.read_csv(path)[['key', 'finetune_steps']].itertuples(index=False)) if path.exists() else {}

def main():
    ap = parser(__doc__, repeats=None)  # one measurement: no repeats
    ap.add_argument('--scale', default='cpu-long')
    ap.add_argument('--cold', action='store_true', help="an empty inductor cache, as on a new machine")
    ap.add_argument('--seconds', type=float, default=150)
    ap.add_argument('--steps', type=int, nargs=2, default=(20, 120))
    a = ap.parse_args()
    from scaling_downstream.machine import choose_levers
    jobs = study_jobs('en-fr', a.scale)
    pretrains = [j for j in jobs if j['kind'] == 'pretrain']
    finetunes = [j for j in jobs if j['kind'] == 'finetune']
    recipes = {}  # batch size -> the first finetune of that recipe
    for j in finetunes: recipes.setdefault(j['config']['batch_size'], j['config'])
    limit = finetunes[0]['evaluation']['limit']
    print(machine())
    if a.cold: os.environ['TORCHINDUCTOR_CACHE_DIR'] = tempfile.mkdtemp(prefix='inductor-')  # the workers' cache, empty
    measured = side_by_side(pretrain_rate, [(j['config'], a.seconds) for j in pretrains[:2]])
    rates = {mixture: r for mixture, r, _ in measured}
    rate = lambda mixture: rates.get(mixture, sum(rates.values()) / len(rates))  # one shape: one rate
    lo, hi = a.steps
    priced, decode, warm = {}, None, max(w for _, _, w in measured)  # compiling the pretraining step, side by side
    for i, (batch, ft) in enumerate(recipes.items()):
        timed = side_by_side(finetune_rate, [(ft, tuple(a.steps), limit, i == 0 and w == 0) for w in range(2)])
        per_step = sum((t[hi] - t[lo]) / (hi - lo) for t in timed) / len(timed)
        setup = sum(t[lo] - lo * per_step for t in timed) / len(timed)
        decode = next((t['decode'] for t in timed if 'decode' in t), decode)
        # compiling and first loads: once a worker and recipe
        warm += max(t['warm'] - setup - WARM_STEPS * per_step for t in timed)
        priced[batch] = dict(per_step=per_step, setup=setup, levers=timed[0]['levers'])
    took = committed_steps(a.scale)
    steps = lambda j: took.get(job_key(j), j['config']['max_steps'])
    def seconds(j) -> float:
        if j['kind'] == 'pretrain': return job_cost(j)[1] / rate(j['config']['mixture'])
        p = priced[j['config']['batch_size']]
        return p['setup'] + steps(j) * p['per_step'] + decode
    samples = [(*job_cost(j), seconds(j)) for j in jobs]
    # run_workers' order: pretraining first, then the longest first
    order = sorted((job_cost(j) for j in jobs), key=lambda c: (c[0] != 'pretrain', -c[1]))
    wall = estimate_left(order, [], samples, workers=2) + warm  # the workers warm up side by side
    levers = str(choose_levers('cpu', 10**4))
    speeds = ', '.join(f'{m} {r:,.0f} tokens/s' for m, r in rates.items())
    longest = max(pretrains[0]['config']['milestones'])
    stages = [(f"pretraining ({levers}): {speeds}, {len(pretrains)} runs to {longest:,} tokens",
               sum(s for k, _, s in samples if k == 'pretrain'))]
    for batch, p in priced.items():
        group = [j for j in finetunes if j['config']['batch_size'] == batch]
        stages.append((f"{len(group)} finetunes of {batch} pairs a step ({p['levers']}): {p['per_step']:.2f} s a step, "
                       f"{p['setup']:.0f} s set-up, {sum(steps(j) for j in group):,} steps in all",
                       sum(p['setup'] + steps(j) * p['per_step'] for j in group)))
    stages += [(f"decoding the {limit} test pairs of each finetune ({decode:.0f} s)", decode * len(finetunes)),
               (f"each worker's first steps of each kind: compiling, first loads{' (empty cache)' * a.cold}", warm),
               ('the study on two workers (scheduler estimate): wall time', wall)]
    table = pd.DataFrame(stages, columns=['stage (worker time; the last line wall time)', 'seconds'])
    table['minutes'] = (table.seconds / 60).round(1)
    print(f"{sum(job_key(j) in took for j in finetunes)} of {len(finetunes)} finetunes at the committed run's steps")
    print(table.round(0).to_markdown(index=False))
    record = dict(machine=machine(), date=time.strftime('%Y-%m-%d'), scale=a.scale, levers=levers, cold_cache=a.cold,
                  pretrain_tokens_per_s=rates,
                  finetune=priced, warm_up_s=warm, decode_s=decode, jobs=len(jobs), wall_s=wall, stages=stages)
    (ROOT/f'bench/results/plan_{a.scale}_{levers}.json').write_text(json.dumps(record, indent=1) + '\n')

if __name__ == '__main__':
    main()
