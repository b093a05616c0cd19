"""Does pretraining transfer at cpu scale? One finetune of the `cpu` preset (from scratch or from a pretraining
checkpoint, keeping all of it or only some of its parts), scored on the short test pairs, with sacreBLEU's paired
bootstrap test against a baseline's translations. Appends one JSON line to bench/results/transfer.jsonl and writes the
translations to --hyps (a TSV) so that later probes can be tested against this one. Table:
bench/tables/transfer_table.py; answered in bench/RESULTS.md, "Does pretraining transfer at cpu scale?".

    # the no-pretraining baseline at D_f = all short en-fr pairs (1.68M tokens), the cpu scale's large-D_f recipe
    .venv/bin/python bench/experiments/transfer_probe.py --name scratch-s0 --hyps runs/probe/hyps/scratch-s0.tsv
    # a 50/50 checkpoint, only its encoder's layers kept, tested against that baseline
    .venv/bin/python bench/experiments/transfer_probe.py --name enfr16M-encoder \
        --init runs/probe/pt/checkpoints/Dp-16000000 --keep encoder --baseline runs/probe/hyps/scratch-s0.tsv \
        --hyps runs/probe/hyps/enfr16M-encoder.tsv
"""
import argparse, json, tempfile, time
from pathlib import Path
import pandas as pd, torch
from scaling_downstream.finetune import FinetuneConfig, finetune
from scaling_downstream.evaluate import evaluate, paired_bleu
from scaling_downstream.model import build_model, load_checkpoint
from scaling_downstream.corpus import load_parallel
from scaling_downstream.pairs import encode_pairs, short_pairs
from scaling_downstream.tokenizer import load_tokenizer

# What each --keep leaves of the pretrained model; the rest is re-initialised as a new model of the same shape.
KEEP = {'all': lambda name: True,
        'encoder': lambda name: name.startswith('encoder.') and 'embed_tokens' not in name,
        'encoder+embeddings': lambda name: name.startswith('encoder.') or name == 'shared.weight'}

def partial_checkpoint(init: str, keep: str, seed: int, folder: Path) -> Path:
    "A copy of checkpoint `init` whose parameters outside `keep` are those of a fresh model (seed `seed`)."
    pretrained = load_checkpoint(init)
    fresh = build_model(pretrained.config, seed=seed, vocab_size=pretrained.config.vocab_size)
    state, kept = fresh.state_dict(), 0
    for name, value in pretrained.state_dict().items():
        if KEEP[keep](name): state[name] = value; kept += value.numel()
    fresh.load_state_dict(state)
    fresh.save_pretrained(folder, safe_serialization=True)
    ck = json.loads((Path(init)/'checkpoint.json').read_text())
    (folder/'checkpoint.json').write_text(json.dumps(dict(ck, kept=keep, kept_parameters=kept)))
    return folder

def objective(init: str|None) -> str|None:
    "The span corruption the checkpoint `init` was pretrained with (its run's pretrain.json), in words."
    if not init: return None
    config = json.loads((Path(init).parents[1]/'pretrain.json').read_text())['config']
    return f"span corruption, {config.get('noise_density', 0.15):.0%} in spans of {config.get('mean_span', 3.0):g}"

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--name', required=True); p.add_argument('--pair', default='en-fr')
    p.add_argument('--d_f', type=int, default=None, help='tokens; default: all short training pairs')
    p.add_argument('--init', default=None); p.add_argument('--keep', default='all', choices=list(KEEP))
    p.add_argument('--tokenizer', default='tokenizer-2k'); p.add_argument('--max_tokens', type=int, default=48)
    p.add_argument('--lr', type=float, default=3e-3); p.add_argument('--batch_size', type=int, default=128)
    p.add_argument('--max_steps', type=int, default=800); p.add_argument('--warmup_steps', type=int, default=100)
    p.add_argument('--eval_every', type=int, default=100); p.add_argument('--patience', type=int, default=3)
    p.add_argument('--label_smoothing', type=float, default=0.1); p.add_argument('--seed', type=int, default=0)
    p.add_argument('--limit', type=int, default=400, help='test pairs (the cpu study scores 400)')
    p.add_argument('--threads', type=int, default=2); p.add_argument('--baseline', default=None)
    p.add_argument('--hyps', default=None); p.add_argument('--results', default='bench/results/transfer.jsonl')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.init and not (Path(a.init)/'checkpoint.json').exists(): p.error(f'--init {a.init}: no checkpoint.json there')
    if a.baseline and not Path(a.baseline).exists(): p.error(f'--baseline {a.baseline}: no such translations file')
    tok = load_tokenizer(a.tokenizer)
    d_f = a.d_f or int(encode_pairs(tok, short_pairs(tok, load_parallel(a.pair, 'train'), a.max_tokens)).tokens.sum())
    config = FinetuneConfig(a.pair, d_f=d_f, preset='cpu', lr=a.lr, batch_size=a.batch_size, max_steps=a.max_steps,
                            eval_every=a.eval_every, patience=a.patience, valid_pairs=200, max_tokens=a.max_tokens,
                            warmup_steps=a.warmup_steps, decay=True, label_smoothing=a.label_smoothing,
                            tokenizer=a.tokenizer, seed=a.seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        init = partial_checkpoint(a.init, a.keep, a.seed, Path(tmp)) if a.init and a.keep != 'all' else a.init
        model, record = finetune(config, init, progress=False)
    metrics, hyps = evaluate(model, a.pair, max_tokens=a.max_tokens, tokenizer=a.tokenizer, limit=a.limit)
    row = dict(name=a.name, init=a.init, keep=a.keep if a.init else None, D_p=record.get('D_p', 0), objective=objective(a.init), d_f=d_f, lr=a.lr,
               batch_size=a.batch_size, warmup_steps=a.warmup_steps, seed=a.seed, steps=record['steps'],
               best_step=record['best_step'], valid_ce=round(record['valid_ce'], 4),
               curve=[round(c['valid_ce'], 3) for c in record['curve']], bleu=round(metrics['bleu'], 2),
               bleu_ci=round(metrics['bleu_ci'], 2), chrf=round(metrics['chrf'], 1), test_ce=round(metrics['ce'], 4),
               test_pairs=metrics['n'], threads=a.threads, seconds=round(time.perf_counter() - started, 1))
    if a.baseline:
        base = pd.read_csv(a.baseline, sep='\t', keep_default_na=False)
        test = paired_bleu(base.hyp, hyps.hyp, hyps.ref)
        row.update(baseline=a.baseline, difference=round(test['difference'], 2), p_value=round(test['p_value'], 4))
    if a.hyps:
        Path(a.hyps).parent.mkdir(parents=True, exist_ok=True)
        hyps.to_csv(a.hyps, sep='\t', index=False)
    Path(a.results).parent.mkdir(parents=True, exist_ok=True)
    with open(a.results, 'a') as f: f.write(json.dumps(row) + '\n')
    print(json.dumps(row))

if __name__ == '__main__':
    main()
