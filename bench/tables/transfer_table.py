"""The table of bench/results/transfer.jsonl (bench/experiments/transfer_probe.py's probes) as markdown, for
bench/RESULTS.md: one row per probe, its start, its finetuning, BLEU with its 95% interval, the paired test against the
baseline, CE."""
import json, sys
from pathlib import Path
import pandas as pd

rows = [json.loads(line) for line in Path(sys.argv[1] if len(sys.argv) > 1 else 'bench/results/transfer.jsonl').read_text().splitlines() if line]
t = pd.DataFrame(rows)
t['start'] = [f"{r['keep']} of D_p={r['D_p'] / 1e6:.0f}M" if r['init'] else 'scratch' for r in rows]
t['objective'] = [r.get('objective') or ('span corruption, 15% in spans of 3' if r['init'] else '') for r in rows]  # probes before it was recorded: T5's
t['D_f'] = [f"{r['d_f'] / 1e6:.2g}M" for r in rows]
t['BLEU (95%)'] = [f"{r['bleu']:.2f} ± {r['bleu_ci']:.2f}" for r in rows]
t['vs baseline'] = [f"{r['difference']:+.2f} (p={r['p_value']:.3f})" if isinstance(r.get('difference'), float) else '' for r in rows]
cols = ['name', 'start', 'objective', 'D_f', 'lr', 'batch_size', 'steps', 'best_step', 'valid_ce', 'test_ce', 'BLEU (95%)', 'vs baseline', 'chrf', 'seconds']
print(t[cols].to_markdown(index=False))
