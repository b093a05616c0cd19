"Print the table of bench/results/levers.jsonl (one line per `bench/experiments/finetune_levers.py` run) as Markdown."
import json, sys
from pathlib import Path
import pandas as pd

path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]/'results'/'levers.jsonl')
runs = pd.DataFrame([json.loads(line) for line in path.read_text().splitlines() if line.strip()])
runs['start'] = runs['init'].fillna('scratch').str.replace(r' checkpoint at D_p=([\d,]+).*', r' D_p=\1', regex=True)
runs['BLEU (95%)'] = runs.apply(lambda r: f"{r.bleu:.2f} ± {r.bleu_ci:.2f}", axis=1)
runs['pairs seen'] = runs.steps * runs.batch_size
cols = ['pair', 'tokenizer', 'max_tokens', 'd_f', 'start', 'batch_size', 'lr', 'threads', 'steps', 'best_step', 'pairs seen',
        'finetune_s', 'tokens_per_s', 'valid_ce', 'BLEU (95%)', 'chrf', 'test_pairs']
print(runs[cols].to_markdown(index=False))
