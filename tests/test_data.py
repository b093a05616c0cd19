"""Integration tests of the tokenizer and the mixtures that do not fit in their notebooks (02_tokenizer, 02a_mixtures): the defaults that read the
embedded corpus (here a small one made from the fixture, pointed to by SD_CORPUS), and determinism across processes."""
import json, lzma, os, subprocess, sys
from pathlib import Path
import pandas as pd, pytest

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT/'data/fixtures/mini_multiway.tsv'
LANGS = ('en', 'de', 'fr', 'ro')

def _write_tsv_xz(path, df):
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ['\t'.join(df.columns)] + ['\t'.join(row) for row in df.astype(str).itertuples(index=False)]
    with lzma.open(path, 'wt', encoding='utf-8') as f: f.write('\n'.join(lines) + '\n')

@pytest.fixture
def mini_corpus(tmp_path, monkeypatch):
    "A corpus folder in the layout of the embedded one (mono pools, train pairs, a tokenizer), made from the fixture."
    mini = pd.read_csv(MINI, sep='\t', keep_default_na=False)
    mono, par = mini[:300], mini[300:]
    for lang in LANGS: _write_tsv_xz(tmp_path/'mono'/f'{lang}.tsv.xz', pd.DataFrame({'text': mono[lang], 'source': mono.source}))
    for tgt in LANGS[1:]:
        _write_tsv_xz(tmp_path/'parallel'/f'en-{tgt}.train.tsv.xz',
                      pd.DataFrame({'en': par.en, tgt: par[tgt], 'source': par.source, 'doc': par.catalog}))
    (tmp_path/'MANIFEST.json').write_text(json.dumps({'note': 'test corpus made from data/fixtures/mini_multiway.tsv'}))
    monkeypatch.setenv('SD_CORPUS', str(tmp_path))
    return tmp_path

def test_defaults_read_the_embedded_corpus(mini_corpus):
    from scaling_downstream.alignment import alignment_stats, alignment_table
    from scaling_downstream.mixtures import sample_mixture
    from scaling_downstream.tokenizer import default_tokenizer_dir, mono_texts, train_tokenizer
    assert default_tokenizer_dir() == mini_corpus/'tokenizer'
    assert len(mono_texts('ro')) == 300
    train_tokenizer(vocab_size=1000, out_dir=default_tokenizer_dir())  # pools: the corpus
    stream = sample_mixture('en50-de50', 3001)                          # tokenizer and pools: the corpus's
    docs = list(stream)
    assert sum(len(d.ids) for d in docs) == 3001
    assert stream.report().emitted.to_dict() == {'en': 1501, 'de': 1500}
    table = alignment_table(alignment_stats(max_tokens=None))
    assert table.loc[('en-de', 'en50-de50'), 'paper'] == 1.0
    assert 0 < table.measured.min() and table.measured.max() < 1

SCRIPT = r'''
import hashlib, sys, pandas as pd
from scaling_downstream.core import LANGS
from scaling_downstream.mixtures import sample_mixture
from scaling_downstream.tokenizer import train_tokenizer
mini = pd.read_csv(sys.argv[1], sep='\t', keep_default_na=False)
tok = train_tokenizer({l: mini[l].tolist() for l in LANGS}, vocab_size=800)
ids = [(d.lang, d.index, d.epoch, d.ids) for d in sample_mixture('en30-fr70', 20_000, tok, {l: mini[l].tolist() for l in LANGS}, seed=3, max_epochs=2)]
print(hashlib.sha256(repr((tok.backend_tokenizer.to_str(), ids)).encode()).hexdigest())
'''

def test_tokenizer_and_stream_are_the_same_in_every_process():
    "Training and sampling depend on nothing but their inputs and seed: not on the process, nor on Python's hash seed."
    digests = set()
    for hash_seed in ('1', '2'):
        out = subprocess.run([sys.executable, '-W', 'ignore', '-c', SCRIPT, str(MINI)], cwd=ROOT, capture_output=True,
                             text=True, env={**os.environ, 'PYTHONHASHSEED': hash_seed}, check=True)
        digests.add(out.stdout.strip().splitlines()[-1])
    assert len(digests) == 1, digests
