"""Levers of the cpu scale, what makes the `cpu` preset translate on two cores (results: bench/results/levers.jsonl,
table: bench/tables/levers_table.py, answered in bench/RESULTS.md, "Levers of the cpu scale"): finetune the `cpu`
preset from scratch (or from a checkpoint) with one setting, then score it on the test pairs that pass the length
filter. Prints one JSON line: valid CE curve, BLEU (95% bootstrap interval), chrF, steps, seconds, training tokens/s.
Example (the cpu scale's finetuning on all short en-fr pairs, 2 threads):

    .venv/bin/python bench/experiments/finetune_levers.py --pair en-fr --tokenizer tokenizer-2k --max_tokens 48 \
        --max_steps 1200
"""
import argparse, json, time
import torch
from scaling_downstream.finetune import FinetuneConfig, finetune
from scaling_downstream.evaluate import evaluate

p = argparse.ArgumentParser()
p.add_argument('--pair', default='en-fr'); p.add_argument('--d_f', type=int, default=10**9)
p.add_argument('--preset', default='cpu'); p.add_argument('--tokenizer', default='tokenizer-2k')
p.add_argument('--max_tokens', type=int, default=48); p.add_argument('--lr', type=float, default=3e-3)
p.add_argument('--batch_size', type=int, default=128); p.add_argument('--max_steps', type=int, default=1200)
p.add_argument('--warmup_steps', type=int, default=100); p.add_argument('--decay', action='store_true')
p.add_argument('--label_smoothing', type=float, default=0.1); p.add_argument('--eval_every', type=int, default=200)
p.add_argument('--threads', type=int, default=2); p.add_argument('--init', default=None)
p.add_argument('--limit', type=int, default=None)
a = p.parse_args()
torch.set_num_threads(a.threads)
config = FinetuneConfig(a.pair, d_f=a.d_f, preset=a.preset, lr=a.lr, batch_size=a.batch_size, max_steps=a.max_steps,
                        eval_every=a.eval_every, patience=100, valid_pairs=300, max_tokens=a.max_tokens,
                        warmup_steps=a.warmup_steps, decay=a.decay, label_smoothing=a.label_smoothing, tokenizer=a.tokenizer)
if a.d_f == 10**9:  # all of the filtered training data
    from scaling_downstream.corpus import load_parallel
    from scaling_downstream.tokenizer import load_tokenizer
    from scaling_downstream.pairs import encode_pairs, short_pairs
    tok = load_tokenizer(a.tokenizer)
    config.d_f = int(encode_pairs(tok, short_pairs(tok, load_parallel(a.pair, 'train'), a.max_tokens)).tokens.sum())
started = time.perf_counter()
model, record = finetune(config, a.init, progress=False)
metrics, _ = evaluate(model, a.pair, max_tokens=a.max_tokens, tokenizer=a.tokenizer, limit=a.limit)
print(json.dumps(dict(vars(a), d_f=config.d_f, pairs=record['pairs'], steps=record['steps'], best_step=record['best_step'],
                      valid_ce=round(record['valid_ce'], 3), curve=[round(c['valid_ce'], 3) for c in record['curve']],
                      finetune_s=round(record['seconds'], 1), tokens_per_s=round(record['steps'] * a.batch_size / record['pairs'] * record['tokens'] / record['seconds']),
                      bleu=round(metrics['bleu'], 2), bleu_ci=metrics.get('bleu_ci'), chrf=round(metrics['chrf'], 1), test_pairs=metrics['n'],
                      total_s=round(time.perf_counter() - started, 1))))
