"""The table of bench/experiments/pair_test_recipe.sh's records
(bench/results/pair_test_recipe/ft-<steps>-<split>.json) as markdown, for bench/RESULTS.md: per finetune and test set,
the pairs scored, BLEU with its 95% interval, chrF, CE, and the interval's width against the multi-way test set's,
beside the square root of the sizes' ratio that sampling predicts; and what holding the test sets out changed in the
corpus. Usage: python bench/tables/pair_test_table.py"""
import json, subprocess
from pathlib import Path
import pandas as pd

here = Path(__file__).resolve().parents[1]/'results'/'pair_test_recipe'  # bench/results/pair_test_recipe/
records = [json.loads(p.read_text()) for p in sorted(here.glob('*.json'))]
table = pd.DataFrame([dict(steps=r['finetune']['steps'], best_step=r['finetune']['best_step'], split=r['split'], pairs=r['n'],
                           BLEU=f"{r['bleu']:.2f} ± {r['bleu_ci']:.2f}", ci=r['bleu_ci'], chrF=round(r['chrf'], 1),
                           CE=round(r['ce'], 3), valid_CE=round(r['finetune']['valid_ce'], 3)) for r in records])
multiway = table[table.split == 'test'].set_index('steps')
table['interval / multi-way'] = [r.ci / multiway.ci[r.steps] for r in table.itertuples()]
table['sqrt(pairs ratio)'] = [(multiway.pairs[r.steps] / r.pairs) ** 0.5 for r in table.itertuples()]
print(table.drop(columns='ci').sort_values(['steps', 'split']).to_markdown(index=False, floatfmt='.2f'))

# What holding the test sets out changed in the corpus: rows of every file, before (the manifest at the commit before)
# and after (the committed manifest)
root = Path(__file__).resolve().parents[2]
before_rev = 'dcac375'  # the last commit whose corpus had no pair test sets
before = json.loads(subprocess.run(['git', 'show', f'{before_rev}:corpus/MANIFEST.json'], cwd=root, capture_output=True,
                                   text=True, check=True).stdout)
after = json.loads((root/'corpus'/'MANIFEST.json').read_text())
rows = pd.DataFrame({rel: {'rows before': before['files'].get(rel, {}).get('rows', 0), 'rows after': f['rows']}
                     for rel, f in after['files'].items()}).T
rows['change'] = (rows['rows after'] / rows['rows before'].replace(0, float('nan')) - 1).map(
    lambda v: '' if v != v else f"{v:+.1%}")
print(f"\nthe corpus before ({before_rev}) and after:\n" + rows.to_markdown())
