"""Quality per token under the speed levers: today's code (fp32, eager) against the levers chosen here, three seeds a
side, at the cpu preset's large-D_f recipe, run as the study runs its jobs (two one-thread workers side by side).

    .venv/bin/python bench/experiments/lever_quality.py [--seeds 0 1 2] [--levers bf16+compile]
    .venv/bin/python bench/experiments/lever_quality.py --table

For each seed s and each side:

- pretraining: the cpu study's settings (en50-fr50; model seed s, the study's data order) to 1.6M tokens of text,
  checkpoints at 200k, 400k, 800k and 1.6M; each checkpoint's span-corruption loss on held-out validation text (the
  en-fr validation pairs, never in a pretraining pool: `checkpoint_probe.span_examples`);
- finetuning: a new model (seed s) on all short en-fr pairs with the study's large-D_f recipe (800 steps of 128
  pairs); the validation cross-entropy every 100 steps, the best, and BLEU, chrF and cross-entropy of the finished
  model on all 560 short test pairs, with their 95% intervals.

Each side of a seed starts from the same weights and sees the same data in the same order: only the levers differ.
Appends one JSON line a job to bench/results/lever_quality.jsonl (a rerun runs only the jobs not there); --table
prints the tables of bench/RESULTS.md: each side's mean and seed spread, the difference of the means, that difference
over today's spread, and the p-value of a paired t-test over the seeds. Answered in bench/RESULTS.md, "The training
step at the machine's limit", "Quality per token: three seeds a side" (written by bench/tables/levers_section.py).
"""
import json, multiprocessing as mp, sys, tempfile, time
from pathlib import Path
import pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import ROOT, machine, parser
from step_profile import FINETUNE, PRETRAIN

RESULTS = ROOT/'bench/results/lever_quality.jsonl'
MILESTONES = [200_000, 400_000, 800_000, 1_600_000]

def pretrain_job(levers: str, seed: int) -> dict:
    """Pretrain the cpu study's en50-fr50 run under `levers`; each checkpoint's held-out span-corruption loss and the
    run's rate."""
    from checkpoint_probe import span_examples
    from scaling_downstream.pairs import short_pairs
    from scaling_downstream.tokenizer import load_tokenizer
    from scaling_downstream.machine import Levers, machine_record
    from scaling_downstream.model import cross_entropy, load_checkpoint
    from scaling_downstream.pretrain import PretrainConfig, checkpoints, pretrain
    from scaling_downstream.userdata import task_pairs
    config = PretrainConfig(**dict(PRETRAIN, milestones=MILESTONES, seed=seed))
    tok = load_tokenizer(config.tokenizer)
    valid = short_pairs(tok, task_pairs('en-fr', 'valid'), FINETUNE['max_tokens']).head(300)
    spans = span_examples(tok, list(valid.src) + list(valid.tgt), config.input_length, config.noise_density,
                          config.mean_span, tok.convert_tokens_to_ids('<extra_id_0>'))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        pretrain(config, Path(tmp)/'run', progress=False, levers=Levers.parse(levers))
        seconds = time.perf_counter() - started
        ck = checkpoints(Path(tmp)/'run')
        ck = ck.sort_values('D_p')  # one checkpoint a milestone, each at the first step past it
        span_ce = {m: cross_entropy(load_checkpoint(p), spans) for m, p in zip(MILESTONES, ck.path)}
    return dict(kind='pretrain', levers=levers, seed=seed, seconds=seconds, tokens_per_s=ck.D_p.max() / seconds,
                span_ce=span_ce, train_loss=dict(zip(MILESTONES, ck.loss)),
                machine=machine_record(Levers.parse(levers)))

def finetune_job(levers: str, seed: int) -> dict:
    """Finetune a new model on all short en-fr pairs with the study's large-D_f recipe under `levers`; its curve and
    scores."""
    from scaling_downstream.evaluate import evaluate
    from scaling_downstream.finetune import FinetuneConfig, finetune
    from scaling_downstream.machine import Levers, machine_record
    config = FinetuneConfig(**dict(FINETUNE, seed=seed))
    model, record = finetune(config, progress=False, levers=Levers.parse(levers))
    metrics, _ = evaluate(model, 'en-fr', max_tokens=config.max_tokens, tokenizer=config.tokenizer)
    return dict(kind='finetune', levers=levers, seed=seed, seconds=record['seconds'], steps=record['steps'],
                pairs_per_s=record['steps'] * config.batch_size / record['seconds'], best_step=record['best_step'],
                valid_ce=record['valid_ce'], curve={c['step']: c['valid_ce'] for c in record['curve']},
                **{k: metrics[k] for k in ('bleu', 'bleu_ci', 'chrf', 'chrf_ci', 'ce', 'n')},
                machine=machine_record(Levers.parse(levers)))

def run(job: tuple) -> dict:
    "One job in a worker of one thread, as the study's workers run theirs."
    import torch
    torch.set_num_threads(1)
    kind, levers, seed = job
    return (pretrain_job if kind == 'pretrain' else finetune_job)(levers, seed)

def done_jobs() -> set:
    if not RESULTS.exists(): return set()
    return {(r['kind'], r['levers'], r['seed']) for r in map(json.loads, RESULTS.read_text().splitlines())}

def table(path=RESULTS) -> str:
    """The tables of bench/RESULTS.md: per measure, each side's mean ± seed sd, the difference, it over today's sd, a
    paired t-test."""
    from scipy.stats import ttest_rel
    runs = [json.loads(l) for l in Path(path).read_text().splitlines()]
    rows = []
    def measure(name, kind, get):
        values = {}
        for r in runs:
            if r['kind'] == kind and get(r) is not None: values.setdefault(r['levers'], {})[r['seed']] = get(r)
        if 'fp32' not in values: return
        today = pd.Series(values['fp32'])
        for levers, v in values.items():
            if levers == 'fp32': continue
            v = pd.Series(v); both = today.index.intersection(v.index)
            paired = v[both] - today[both]
            rows.append({'measure': name, 'seeds': len(both),
                         'fp32 (today)': f"{today[both].mean():.3f} ± {today[both].std():.3f}",
                         levers: f"{v[both].mean():.3f} ± {v[both].std():.3f}", 'difference': paired.mean(),
                         'difference / today sd': paired.mean() / today[both].std(),
                         'paired t-test p': ttest_rel(v[both], today[both]).pvalue if paired.std() > 0 else 1.0})
    for d in MILESTONES: measure(f'pretraining: held-out span CE at D_p = {d:,}', 'pretrain',
                                 lambda r, d=d: r['span_ce'].get(str(d)))
    for step in (100, 200, 400, 800): measure(f'finetuning: valid CE after {step} steps', 'finetune',
                                              lambda r, s=step: r['curve'].get(str(s)))
    for key, name in (('valid_ce', 'best valid CE'), ('bleu', 'test BLEU'), ('chrf', 'test chrF'), ('ce', 'test CE')):
        measure(f'finished model: {name}', 'finetune', lambda r, k=key: r[k])
    speed = pd.DataFrame([dict(kind=r['kind'], levers=r['levers'], rate=r.get('tokens_per_s') or r.get('pairs_per_s'),
                               seconds=r['seconds'])
                          for r in runs]).groupby(['kind', 'levers']).median().reset_index()
    speed['unit'] = speed.kind.map({'pretrain': 'tokens/s', 'finetune': 'pairs/s'})
    return (pd.DataFrame(rows).to_markdown(index=False, floatfmt='.3f')
            + '\n\nrates in these runs (medians; two one-thread workers):\n'
            + speed.to_markdown(index=False, floatfmt=',.1f'))

def main():
    ap = parser(__doc__, repeats=None)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2]); ap.add_argument('--levers', default=None)
    ap.add_argument('--workers', type=int, default=2); ap.add_argument('--table', action='store_true')
    a = ap.parse_args()
    if a.table: return print(table())
    from scaling_downstream.machine import choose_levers
    levers = a.levers or str(choose_levers('cpu', 10**4))
    # longest first
    jobs = [(kind, side, s) for kind in ('finetune', 'pretrain') for s in a.seeds for side in ('fp32', levers)]
    jobs = [j for j in jobs if j not in done_jobs()]
    print(f"{machine()}; {len(jobs)} jobs on {a.workers} one-thread workers: {levers} against fp32", flush=True)
    with mp.get_context('spawn').Pool(a.workers, maxtasksperchild=1) as pool:
        for record in pool.imap_unordered(run, jobs):
            with open(RESULTS, 'a') as f: f.write(json.dumps(record) + '\n')
            print(json.dumps({k: v for k, v in record.items() if k != 'machine'}), flush=True)
    print(table())

if __name__ == '__main__': main()
