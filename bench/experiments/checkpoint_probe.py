"""What a pretraining checkpoint knows before any finetuning, measured on the embedded corpus's held-out en-fr
validation pairs (never in a pretraining pool), for every checkpoint of a run and for a new model of the same shape:

- span_ce: its span-corruption loss (nats per target token) on the validation text, English and French, corrupted with
  the run's own noise density and span length: what pretraining optimises, on text it has not seen;
- translation_ce: the cross-entropy of the French references given their English sources, zero-shot;
- french_lm_ce: the same references given an empty source (a lone </s>): the decoder as a French language model;
- source_gain: french_lm_ce - translation_ce, how much the English source lowers the references' CE, that is, how much the
  decoder reads what the encoder gives it.

Appends one JSON line per model to --results and prints a table; with --table, the table of every model probed so far
(markdown, for bench/RESULTS.md). Answered in bench/RESULTS.md, "Does pretraining transfer at cpu scale?" (the table
of what each checkpoint knows before finetuning).

    .venv/bin/python bench/experiments/checkpoint_probe.py runs/probe/pt-enfr-sc15 --name sc15
    .venv/bin/python bench/experiments/checkpoint_probe.py --table
"""
import argparse, json
from pathlib import Path
import numpy as np, pandas as pd, torch
from scaling_downstream.tokenizer import EOS, load_tokenizer
from scaling_downstream.pairs import encode_pairs, short_pairs
from scaling_downstream.model import cross_entropy
from scaling_downstream.model import build_model, load_checkpoint
from scaling_downstream.pretrain import SpanCorruption
from scaling_downstream.userdata import task_pairs

def span_examples(tok, texts, input_length, noise_density, mean_span, first_sentinel, n=256) -> pd.DataFrame:
    "Up to `n` span-corruption examples of the concatenated `texts`, as (src_ids, tgt_ids) rows for `cross_entropy`."
    sc = SpanCorruption(input_length, noise_density, mean_span, first_sentinel)
    ids = np.concatenate([np.asarray(x, np.int64) for x in tok(list(texts), return_attention_mask=False)['input_ids']])
    chunks = [ids[i:i + sc.raw_length] for i in range(0, len(ids) - sc.raw_length + 1, sc.raw_length)][:n]
    rows = [sc(chunk, seed=0, index=i) for i, chunk in enumerate(chunks)]
    return pd.DataFrame(dict(src_ids=[list(x) for x, _ in rows], tgt_ids=[list(y) for _, y in rows]))

def probe(model, pairs: pd.DataFrame, spans: pd.DataFrame) -> dict:
    "The four numbers of the docstring for `model` (`cross_entropy` runs without gradients)."
    translation, lm = cross_entropy(model, pairs), cross_entropy(model, pairs.assign(src_ids=[[EOS]] * len(pairs)))
    return dict(span_ce=round(cross_entropy(model, spans), 4), translation_ce=round(translation, 4), french_lm_ce=round(lm, 4),
                source_gain=round(lm - translation, 4))

def main():
    p = argparse.ArgumentParser()
    p.add_argument('run', nargs='?', help='a pretraining run folder (checkpoints/Dp-*/, pretrain.json)')
    p.add_argument('--table', action='store_true', help='print the table of --results and stop')
    p.add_argument('--name'); p.add_argument('--pairs', type=int, default=300)
    p.add_argument('--max_tokens', type=int, default=48); p.add_argument('--threads', type=int, default=2)
    p.add_argument('--results', default='bench/results/checkpoints.jsonl')
    a = p.parse_args()
    if a.table: return print(pd.read_json(a.results, lines=True).drop(columns=['run', 'pairs', 'span_examples']).to_markdown(index=False))
    if not (a.run and a.name): p.error('give a run folder and --name (or --table)')
    torch.set_num_threads(a.threads)
    config = json.loads((Path(a.run)/'pretrain.json').read_text())['config']
    tok = load_tokenizer(config['tokenizer'])
    valid = short_pairs(tok, task_pairs('en-fr', 'valid'), a.max_tokens).head(a.pairs)
    pairs = encode_pairs(tok, valid)
    spans = span_examples(tok, list(valid.src) + list(valid.tgt), config['input_length'], config.get('noise_density', 0.15),
                          config.get('mean_span', 3.0), tok.convert_tokens_to_ids('<extra_id_0>'))
    checkpoints = sorted((Path(a.run)/'checkpoints').glob('Dp-*'))
    models = [(0, build_model(load_checkpoint(checkpoints[0]).config, seed=0))] + [(int(c.name[3:]), load_checkpoint(c)) for c in checkpoints]
    rows = []
    for d_p, model in models:
        row = dict(name=a.name, run=a.run, D_p=d_p, noise_density=config.get('noise_density', 0.15), mean_span=config.get('mean_span', 3.0),
                   **probe(model, pairs, spans), pairs=len(pairs), span_examples=len(spans))
        rows.append(row)
        with open(a.results, 'a') as f: f.write(json.dumps(row) + '\n')
    print(pd.DataFrame(rows).drop(columns=['run']).to_string(index=False))

if __name__ == '__main__':
    main()
