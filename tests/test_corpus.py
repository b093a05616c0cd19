"The committed corpus: its manifest, its sizes, and no leakage from valid/test into any training or pretraining pool."
import json
import pytest
from scaling_downstream.core import LANGS, PAIRS, sha256_file
from scaling_downstream.corpus import corpus_dir, dedupe_key, load_mono, load_parallel

CORPUS = corpus_dir()
MANIFEST = json.loads((CORPUS/'MANIFEST.json').read_text())

def test_manifest_checksums_match_the_files():
    for rel, info in MANIFEST['files'].items():
        assert sha256_file(CORPUS/rel) == info['sha256'], rel
    for tokenizer in ('tokenizer', 'tokenizer-2k'):
        for name, sha in MANIFEST[tokenizer]['files'].items(): assert sha256_file(CORPUS/tokenizer/name) == sha, (tokenizer, name)
    assert all(p['name'] and p['version'] and p['licence'] for p in MANIFEST['packages'])

def test_sizes():
    test, valid = load_parallel('en-de', 'test'), load_parallel('en-de', 'valid')
    assert len(test) >= 1500 and (test['src'].str.split().str.len() >= 8).all()
    assert len(valid) >= 1000
    for pair in PAIRS: assert len(load_parallel(pair, 'train')) >= 25_000, pair

def test_multiway_english_is_shared():
    for split in ('valid', 'test'):
        en = [load_parallel(pair, split)['src'].tolist() for pair in PAIRS]
        assert en[0] == en[1] == en[2]

def test_every_row_has_a_source_tag():
    for pair in PAIRS: assert (load_parallel(pair, 'train')['source'].str.len() > 0).all()
    for lang in LANGS: assert (load_mono(lang)['source'].str.len() > 0).all()

@pytest.fixture(scope='module')
def held_out():
    "Normalised sides of every valid and test segment, and their documents."
    keys, docs = set(), set()
    for split in ('valid', 'test'):
        for pair in PAIRS:
            df = load_parallel(pair, split)
            keys |= set(df['src'].map(dedupe_key)) | set(df['tgt'].map(dedupe_key))
            docs |= set(df['doc'])
    return keys - {''}, docs

def test_no_held_out_segment_in_training_pairs(held_out):
    keys, docs = held_out
    for pair in PAIRS:
        train = load_parallel(pair, 'train')
        for side in ('src', 'tgt'):
            leaked = train[side].map(dedupe_key).isin(keys)
            assert not leaked.any(), (pair, side, train[side][leaked].head(3).tolist())
        assert not (train['source'] + '|' + train['doc']).isin(docs).any(), pair

def test_no_held_out_segment_in_monolingual_pools(held_out):
    keys, _ = held_out
    for lang in LANGS:
        leaked = load_mono(lang)['text'].map(dedupe_key).isin(keys)
        assert not leaked.any(), (lang, load_mono(lang)['text'][leaked].head(3).tolist())

def test_monolingual_pools_hold_the_tokens_the_study_needs():
    "Counted with the committed tokenizer, as the manifest says: enough for the cpu and gpu scales' largest D_p."
    from scaling_downstream.data import TokenPool, load_tokenizer
    tok = load_tokenizer()
    need = {'en': 6e6, 'de': 5e6, 'fr': 5e6, 'ro': 1.8e6}
    for lang, n in need.items():
        tokens = TokenPool(lang, load_mono(lang)['text'].tolist(), tok).n_tokens
        assert tokens == MANIFEST['tokens']['mono'][lang], lang
        assert tokens >= n, (lang, tokens)
