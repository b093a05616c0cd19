"""Make `nbs/fixtures/hub/`: a small mirror of the Hugging Face hub's repositories that the paper's spec names, in
their own layouts, filled with the embedded corpus's text, so that the hub's code paths run offline
(`SD_HUB_MIRROR=nbs/fixtures/hub`; see nbs/01c_userdata.ipynb, "Data in the hub's own layouts").

- `allenai/c4/multilingual/`: mC4's JSON-lines shards `c4-<lang>.tfrecord-0000N-of-00002.json.gz` for en, de, fr, ro
  (about 300k tokens of tokenizer-2k each), and a `c4-de-validation` shard that a train glob must not take;
- `wmt/wmt17/de-en`, `wmt/wmt15/fr-en`, `wmt/wmt16/ro-en`: Parquet splits train/validation/test of the corpus's pairs,
  with the README.md front matter (`configs`, `dataset_info`) that `datasets` reads;
- `google/mt5-small`: a 1,000-piece SentencePiece unigram model trained on the pools' text, with mT5's files.

Deterministic (fixed seeds, one training thread, gzip with mtime 0): a rerun writes the same bytes, and rewrites only
the files that differ. Usage: .venv/bin/python bench/tools/hub_fixtures.py [--out nbs/fixtures/hub]"""
import argparse, gzip, io, json, re
from pathlib import Path
import numpy as np, pandas as pd, pyarrow as pa, pyarrow.parquet as pq
from scaling_downstream.core import LANGS, REPO
from scaling_downstream.corpus import load_mono, load_parallel
from scaling_downstream.tokenizer import load_tokenizer

POOL_TOKENS = 300_000  # tokens of tokenizer-2k per language pool
SPLIT_ROWS = {'train': 3000, 'validation': 200, 'test': 200}
WMT = {'en-de': ('wmt/wmt17', 'de-en'), 'en-fr': ('wmt/wmt15', 'fr-en'), 'en-ro': ('wmt/wmt16', 'ro-en')}
TIMESTAMP = '2019-04-01T00:00:00Z'  # mC4's rows carry a crawl time; the corpus has none
PIECES = 1000

def write(path: Path, data: bytes, written: list):
    "Write `data` to `path` unless it holds it already (make-style)."
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_bytes() != data: path.write_bytes(data); written.append(path)

def gz(text: str) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename='', mode='wb', fileobj=buf, mtime=0, compresslevel=9) as f: f.write(text.encode())
    return buf.getvalue()

def test_segments() -> set[str]:
    "Every segment of the corpus's test split, both sides of every pair: none may be in a pool or a train split."
    return {t.strip() for pair in WMT for df in [load_parallel(pair, 'test')] for t in (*df.src, *df.tgt)}

def holds_test(text: str, held: set[str]) -> bool:
    return text.strip() in held or any(line.strip() in held for line in text.split('\n'))

def pool_docs(lang: str, held: set[str], tok, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    "Train documents of `lang` in a seeded order up to POOL_TOKENS tokens, and the next 40 (a validation shard)."
    mono = load_mono(lang)
    order = np.random.default_rng([seed, LANGS.index(lang)]).permutation(len(mono))
    docs = mono.iloc[:0].assign(tokens=0)
    for start in range(0, len(order), 4000):  # in chunks: as many as the budget takes
        chunk = mono.iloc[order[start:start + 4000]]
        chunk = chunk[[not holds_test(t, held) for t in chunk.text]]
        docs = pd.concat([docs, chunk.assign(tokens=[len(x) for x in tok(chunk.text.tolist()).input_ids])])
        n = int(np.searchsorted(docs.tokens.cumsum(), POOL_TOKENS)) + 1
        if len(docs) >= n + 40: return docs.iloc[:n], docs.iloc[n:n + 40]
    raise ValueError(f"the {lang} pool has fewer than {POOL_TOKENS:,} tokens")

def c4_shard(docs: pd.DataFrame) -> bytes:
    rows = [json.dumps({'text': t, 'timestamp': TIMESTAMP, 'url': s}, ensure_ascii=False) + '\n'
            for t, s in zip(docs.text, docs.source)]
    return gz(''.join(rows))

def wmt_rows(pair: str, held: set[str], seed: int) -> dict[str, pd.DataFrame]:
    "The pairs of each WMT split: train drawn from the corpus's train (no test segment in it), the others as named."
    frames = {'train': load_parallel(pair, 'train'), 'validation': load_parallel(pair, 'valid'),
              'test': load_parallel(pair, 'test')}
    frames['train'] = frames['train'][~(frames['train'].src.str.strip().isin(held)
                                        | frames['train'].tgt.str.strip().isin(held))]
    out = {}
    for i, (split, df) in enumerate(frames.items()):
        pick = np.random.default_rng([seed, list(WMT).index(pair), i]).choice(len(df), SPLIT_ROWS[split], replace=False)
        out[split] = df.iloc[np.sort(pick)].reset_index(drop=True)
    return out

def wmt_parquet(df: pd.DataFrame, pair: str) -> bytes:
    "A split as the hub's WMT Parquet holds it: one column `translation`, a struct of the two languages (sorted)."
    src, tgt = pair.split('-')
    langs = sorted([src, tgt])
    texts = {src: df.src.tolist(), tgt: df.tgt.tolist()}
    column = pa.StructArray.from_arrays([pa.array(texts[l], pa.string()) for l in langs], names=langs)
    features = {'translation': {'languages': langs, '_type': 'Translation'}}
    table = pa.table({'translation': column}).replace_schema_metadata(
        {'huggingface': json.dumps({'info': {'features': features}})})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()

def wmt_readme(repo: str, config: str, splits: dict[str, pd.DataFrame]) -> str:
    "The front matter `datasets` reads (configs, dataset_info) for one config, and a line saying what this is."
    a, b = config.split('-')
    lines = ['---', 'dataset_info:', f'- config_name: {config}', '  features:', '  - name: translation',
             '    dtype:', '      translation:', '        languages:', f'        - {a}', f'        - {b}', '  splits:']
    for split, df in splits.items():
        size = int(sum(len(s.encode()) + len(t.encode()) for s, t in zip(df.src, df.tgt)))
        lines += [f'  - name: {split}', f'    num_bytes: {size}', f'    num_examples: {len(df)}']
    lines += ['configs:', f'- config_name: {config}', '  data_files:']
    for split in splits: lines += [f'  - split: {split}', f'    path: {config}/{split}-*']
    lines += ['---', '', f'# {repo} (a fixture)', '',
              f'The layout of the hub\'s `{repo}`, config `{config}` only, with the pairs of the embedded corpus of',
              'scaling_downstream in place of WMT\'s: see ../../README.md.', '']
    return '\n'.join(lines)

def spm_model(texts: list[str]) -> bytes:
    "A SentencePiece unigram model of PIECES pieces laid out as mT5's: pad 0, eos 1, unk 2, no bos; nmt_nfkc."
    import sentencepiece as spm
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(texts), model_writer=model, model_type='unigram',
                                   vocab_size=PIECES, pad_id=0, eos_id=1, unk_id=2, bos_id=-1,
                                   character_coverage=0.9995, num_threads=1, minloglevel=2)
    return model.getvalue()

MT5_FILES = {
    'tokenizer_config.json': {'eos_token': '</s>', 'unk_token': '<unk>', 'pad_token': '<pad>', 'extra_ids': 0,
                              'additional_special_tokens': None, 'sp_model_kwargs': {},
                              'tokenizer_class': 'T5Tokenizer'},
    'special_tokens_map.json': {'eos_token': '</s>', 'unk_token': '<unk>', 'pad_token': '<pad>'},
    # a toy mT5: mt5-small's own is d_model 512, d_ff 1024, 8 layers, 6 heads and vocab_size 250112 (250100 pieces
    # rounded up to a multiple of 128, as here 1000 to 1024)
    'config.json': {'architectures': ['MT5ForConditionalGeneration'], 'd_ff': 128, 'd_kv': 16, 'd_model': 64,
                    'decoder_start_token_id': 0, 'dense_act_fn': 'gelu_new', 'dropout_rate': 0.1, 'eos_token_id': 1,
                    'feed_forward_proj': 'gated-gelu', 'initializer_factor': 1.0, 'is_encoder_decoder': True,
                    'is_gated_act': True, 'layer_norm_epsilon': 1e-06, 'model_type': 'mt5', 'num_decoder_layers': 2,
                    'num_heads': 4, 'num_layers': 2, 'pad_token_id': 0, 'relative_attention_num_buckets': 32,
                    'tie_word_embeddings': False, 'tokenizer_class': 'T5Tokenizer', 'vocab_size': 1024}}

def licences() -> dict[str, str]:
    "Each source tag of the corpus -> its licences, as corpus/MANIFEST.json lists them."
    by_tag = {}
    for p in json.loads((REPO/'corpus'/'MANIFEST.json').read_text())['packages']:
        for tag in p['sources']: by_tag.setdefault(tag, set()).add(p['licence'])
    return {tag: '; '.join(sorted(ls)) for tag, ls in by_tag.items()}

def sources_table(pools: dict, wmt: dict) -> list[str]:
    "A Markdown table of the fixture's rows by source tag, with the tag's licences."
    lic, counts = licences(), {}
    for lang, docs in pools.items():
        for tag in docs.source: counts.setdefault(tag, {}).setdefault(f'c4 {lang}', 0); counts[tag][f'c4 {lang}'] += 1
    for pair, splits in wmt.items():
        for df in splits.values():
            for tag in df.source: counts.setdefault(tag, {}).setdefault(pair, 0); counts[tag][pair] += 1
    lines = ['| source tag | rows | licence (corpus/MANIFEST.json) |', '|---|---|---|']
    for tag in sorted(counts):
        where = ', '.join(f'{k}: {v}' for k, v in sorted(counts[tag].items()))
        lines.append(f"| `{tag}` | {where} | {lic.get(tag) or lic.get(tag.split(':')[0], 'not listed')} |")
    return lines

README = """# A mirror of the hub, in miniature

The Hugging Face hub's repositories that the paper's study spec (`specs/paper.yaml`) names, each in the hub's own
layout (what `hf download REPO --local-dir hub/REPO` makes) but filled with the embedded corpus's text, so that the code
that reads the hub runs offline and in seconds:

    SD_HUB_MIRROR=nbs/fixtures/hub HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1

With `SD_HUB_MIRROR` set, a dataset or tokenizer named `owner/name` loads from `$SD_HUB_MIRROR/owner/name` when that
folder exists (`scaling_downstream.userdata.hub_source`), through the same `datasets.load_dataset` and
`transformers.AutoTokenizer.from_pretrained` calls as from the hub.

| folder | mirrors | here |
|---|---|---|
| `allenai/c4/multilingual/` | mC4 in `allenai/c4`: `c4-<lang>.tfrecord-NNNNN-of-NNNNN.json.gz` shards of JSON lines `text`, `timestamp`, `url` | en, de, fr, ro, two shards each; `c4-de-validation.tfrecord-00000-of-00001.json.gz`, which the train glob `multilingual/c4-de.tfrecord-*.json.gz` does not take. No README (the spec names the files) |
| `wmt/wmt17/` | config `de-en` of WMT17: `README.md` front matter (`configs`, `dataset_info`) and `de-en/{{train,validation,test}}-00000-of-00001.parquet`, rows `{{translation: {{de, en}}}}` | the corpus's en-de pairs |
| `wmt/wmt15/` | config `fr-en` of WMT15, the same way | the corpus's en-fr pairs |
| `wmt/wmt16/` | config `ro-en` of WMT16, the same way | the corpus's en-ro pairs |
| `google/mt5-small/` | `spiece.model`, `tokenizer_config.json` (T5Tokenizer, extra_ids 0), `special_tokens_map.json`, `config.json` | a SentencePiece unigram model of {pieces} pieces (pad 0, eos 1, unk 2, no bos, nmt_nfkc, as mT5's) trained on the c4 shards' text; **`config.json` is a toy mT5's** (d_model 64, 2+2 layers, vocab_size 1024: {pieces} pieces rounded up to a multiple of 128, as mT5's 250,100 are to 250,112), not mt5-small's |

**How it was made**: `.venv/bin/python bench/tools/hub_fixtures.py`, which rewrites only the files that differ
(fixed seeds, one SentencePiece thread, gzip with mtime 0: a rerun gives the same bytes with the same package versions).

**The text** is the embedded corpus's (`corpus/`, nbs/01b_corpus.ipynb), not C4's or WMT's:

- the c4 shards are training documents of `corpus.load_mono(lang)`, in a seeded order, up to {pool_tokens:,} tokens of
  `tokenizer-2k` per language. A row's `url` holds the document's source tag as the corpus gives it (e.g. `ddtp`,
  `gettext-deb:apt`), and `timestamp` is a fixed placeholder;
- WMT's train rows are {train} pairs drawn from `corpus.load_parallel(pair, 'train')`, validation and test {valid} and
  {test} pairs from its `valid` and `test` splits. The WMT layout has no room for a source tag, so each row's is in
  `wmt-sources.tsv.gz` (repo, config, split, row, source, doc);
- no segment of the test splits (either side, any pair) is a document, or a line of one, of any c4 shard, or a side of
  a train pair.

{files}

## Sources and licences

Each source tag of the rows here, with the licences `corpus/MANIFEST.json` lists for it:

{sources}
"""

def main(out: Path, seed: int=0):
    written, held = [], test_segments()
    tok = load_tokenizer('tokenizer-2k')
    pools, tokens = {}, {}
    for lang in LANGS:
        docs, valid = pool_docs(lang, held, tok, seed)
        pools[lang], half = docs, (len(docs) + 1)//2
        tokens[lang] = sum(len(x) for x in tok(docs.text.tolist()).input_ids)
        for i, part in enumerate((docs.iloc[:half], docs.iloc[half:])):
            write(out/f'allenai/c4/multilingual/c4-{lang}.tfrecord-{i:05d}-of-00002.json.gz', c4_shard(part), written)
        if lang == 'de':
            write(out/'allenai/c4/multilingual/c4-de-validation.tfrecord-00000-of-00001.json.gz', c4_shard(valid),
                  written)
    wmt, provenance = {}, []
    for pair, (repo, config) in WMT.items():
        wmt[pair] = splits = wmt_rows(pair, held, seed)
        for split, df in splits.items():
            write(out/repo/config/f'{split}-00000-of-00001.parquet', wmt_parquet(df, pair), written)
            provenance += [(repo, config, split, i, s, d) for i, (s, d) in enumerate(zip(df.source, df.doc))]
        write(out/repo/'README.md', wmt_readme(repo, config, splits).encode(), written)
    lines = [l.strip() for docs in pools.values() for t in docs.text for l in t.split('\n') if l.strip()]
    write(out/'google/mt5-small/spiece.model', spm_model(lines), written)
    for name, content in MT5_FILES.items():
        write(out/'google/mt5-small'/name, (json.dumps(content, indent=2) + '\n').encode(), written)
    table = pd.DataFrame(provenance, columns=['repo', 'config', 'split', 'row', 'source', 'doc'])
    write(out/'wmt-sources.tsv.gz', gz(table.to_csv(sep='\t', index=False)), written)
    files = sorted(p for p in out.rglob('*') if p.is_file() and p != out/'README.md')
    listing = ['| file | bytes |', '|---|---|'] + [f'| `{p.relative_to(out)}` | {p.stat().st_size:,} |' for p in files]
    listing += ['', 'Tokens of tokenizer-2k per pool: ' + ', '.join(f'{l} {n:,}' for l, n in tokens.items()) + '.']
    text = README.format(pieces=PIECES, pool_tokens=POOL_TOKENS, train=SPLIT_ROWS['train'],
                         valid=SPLIT_ROWS['validation'], test=SPLIT_ROWS['test'], files='\n'.join(listing),
                         sources='\n'.join(sources_table(pools, wmt)))
    write(out/'README.md', text.encode(), written)
    total = sum(p.stat().st_size for p in out.rglob('*') if p.is_file())
    print(f"{len(written)} files written, {total:,} bytes in {out}")

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', type=Path, default=REPO/'nbs'/'fixtures'/'hub')
    main(parser.parse_args().out)
