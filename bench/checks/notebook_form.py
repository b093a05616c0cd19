"""How the notebooks read, measured the same way on this project's nbs/ and on the nbdev exemplars: the size of exported
and example cells, the length of the prose's sentences and cells, headings that share a cell with a paragraph, lines
over 120 characters, and the size of each module.

    .venv/bin/python bench/checks/notebook_form.py                  # nbs/ and index.ipynb, beside the exemplars' record
    .venv/bin/python bench/checks/notebook_form.py --exemplars DIR  # measure notebooks in DIR and write that record

The exemplars (execnb's 00_shell, fastcore's 00_test, claudette's 00_core, the fastai course's 09_learner) are not
reachable where this project is built, so their measurements are a committed record
(bench/results/notebook_form_exemplars.json), made by `--exemplars` on copies fetched from GitHub at the commits it
names. A long line is one `.ci/long-lines` refuses (a table row, a URL and a title's one-line `> description` are
allowed); outputs are not read."""
import argparse, functools, json, re, statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORD = ROOT/'bench/results/notebook_form_exemplars.json'
WORD = re.compile(r"[A-Za-z0-9$`'’-]+")

def sentences(markdown: str) -> list[str]:
    "The prose sentences of a markdown cell: no headings, code blocks, tables, formulas-only lines or list markers."
    text = re.sub(r'```.*?```', ' ', markdown, flags=re.S)
    lines = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith(('#', '|', '>', '!['))]
    prose = re.sub(r'^\s*(?:[-*]|\d+\.)\s+', '', '\n'.join(lines), flags=re.M)
    parts = re.split(r'(?<=[.!?:;])\s+(?=[A-Z`*(\[$])', ' '.join(prose.split()))
    return [p for p in parts if len(WORD.findall(p)) >= 3]

@functools.cache
def notebook_check():
    "The notebook check's own rule for a long line (`.ci/long-lines`), so that both count the same lines."
    from importlib.machinery import SourceFileLoader
    from importlib.util import module_from_spec, spec_from_loader
    spec = spec_from_loader('long_lines', SourceFileLoader('long_lines', str(ROOT/'.ci/long-lines')))
    module = module_from_spec(spec); spec.loader.exec_module(module)
    return module

def shares_heading(markdown: str) -> bool:
    "A heading with prose in its cell; a title with its one-line `> description` (nbdev's convention) is one idea."
    rest = [l for l in markdown.strip().splitlines()[1:] if l.strip()]
    return bool(rest) and not all(l.startswith('>') for l in rest)

def measure(path: Path) -> dict:
    "One notebook's cells measured."
    cells = json.loads(path.read_text())['cells']
    src = lambda c: ''.join(c['source']) if isinstance(c['source'], list) else c['source']
    exported = [len(src(c).splitlines()) for c in cells if c['cell_type'] == 'code' and re.match(r'#\s*\|\s*export', src(c))]
    examples = [len(src(c).splitlines()) for c in cells if c['cell_type'] == 'code' and src(c).strip()
                and not re.match(r'#\s*\|\s*(export|hide|default_exp)', src(c))]
    markdown = [src(c) for c in cells if c['cell_type'] == 'markdown']
    said = [s for m in markdown for s in sentences(m)]
    headings = [m for m in markdown if m.lstrip().startswith('#')]
    lines = [l for c in cells for l in src(c).splitlines()]
    return dict(notebook=path.name, exported=exported, examples=examples,
                sentence_words=[len(WORD.findall(s)) for s in said],
                cell_words=[sum(len(WORD.findall(s)) for s in sentences(m)) for m in markdown if sentences(m)],
                headings=len(headings), headings_with_prose=sum(map(shares_heading, headings)),
                lines=len(lines), long_lines=len(list(notebook_check().long_lines(path))))

def summary(rows: list[dict]) -> dict:
    "Medians and shares over a set of notebooks, as the table prints them."
    pool = lambda k: [x for r in rows for x in r[k]]
    med = lambda xs: statistics.median(xs) if xs else float('nan')
    p90 = lambda xs: sorted(xs)[int(0.9 * (len(xs) - 1))] if xs else float('nan')
    exported = pool('exported')
    return {'exported cells': len(exported), 'exported cell lines, median': med(exported),
            'exported cell lines, 90th percentile': p90(exported), 'exported cells over 20 lines': sum(x > 20 for x in exported),
            'example cell lines, median': med(pool('examples')), 'words a sentence, median': med(pool('sentence_words')),
            'words a sentence, 90th percentile': p90(pool('sentence_words')),
            'words a prose cell, median': med(pool('cell_words')),
            'headings sharing a cell with prose': f"{sum(r['headings_with_prose'] for r in rows)} of {sum(r['headings'] for r in rows)}",
            'lines over 120 characters': f"{sum(r['long_lines'] for r in rows)} of {sum(r['lines'] for r in rows)} "
                                         f"({sum(r['long_lines'] for r in rows) / max(sum(r['lines'] for r in rows), 1):.1%})"}

def module_sizes() -> dict:
    "Lines of each module of the package (the exported index `_modidx` aside)."
    return {p.stem: len(p.read_text().splitlines()) for p in sorted((ROOT/'scaling_downstream').glob('*.py'))
            if not p.stem.startswith('_')}

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--exemplars', type=Path, help='measure the notebooks in this folder and write the record')
    ap.add_argument('--sources', nargs='*', default=[], help='repository@commit:path of each exemplar, for the record')
    args = ap.parse_args()
    if args.exemplars:
        rows = [measure(p) for p in sorted(args.exemplars.glob('*.ipynb'))]
        RECORD.write_text(json.dumps(dict(sources=args.sources, notebooks=[r['notebook'] for r in rows],
                                          summary=summary(rows)), indent=1) + '\n')
        print(f"wrote {RECORD.relative_to(ROOT)}")
    ours = [measure(p) for p in sorted((ROOT/'nbs').glob('*.ipynb'))] + [measure(ROOT/'index.ipynb')]
    exemplars = json.loads(RECORD.read_text())
    table = {'this project (nbs/, index.ipynb)': summary(ours), 'the exemplars': exemplars['summary']}
    width = max(len(k) for k in table['the exemplars'])
    print(f"{'':{width}}  {'this project':>22}  {'the exemplars':>22}")
    for key in table['the exemplars']:
        print(f"{key:{width}}  {str(table['this project (nbs/, index.ipynb)'][key]):>22}  {str(exemplars['summary'][key]):>22}")
    sizes = module_sizes()
    outside = {m: n for m, n in sizes.items() if not 100 <= n <= 600}
    print(f"\nmodules: {len(sizes)}, lines {min(sizes.values())}–{max(sizes.values())}; outside 100–600: "
          + (', '.join(f"{m} ({n})" for m, n in outside.items()) or 'none'))
    worst = [r for r in sorted(ours, key=lambda r: -r['long_lines'])[:5] if r['long_lines']]
    print('most lines over 120 characters: ' + (', '.join(f"{r['notebook']} {r['long_lines']}" for r in worst) or 'none'))
