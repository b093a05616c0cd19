"The committed corpus: its manifest, its sizes, and no leakage from any test set into any training, valid or pretraining pool."
import json
import pandas as pd, pytest
from scaling_downstream.core import LANGS, PAIRS, sha256_file
from scaling_downstream.corpus import corpus_dir, find_leaks, load_mono, load_parallel, read_tsv

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
def files():
    "Every file of the committed corpus, as `hold_out_pair_tests` sees them."
    return {rel: read_tsv(CORPUS/rel) for rel in MANIFEST['files']}

def test_no_test_segment_in_any_other_file(files):
    "Training pools, monolingual pools and the valid set hold no segment of any test set, normalised."
    assert len([rel for rel in files if rel.endswith('test.tsv.xz')]) == 1 + len(PAIRS)
    assert find_leaks(files) == []

def test_a_planted_overlap_is_found(files):
    "A test segment planted, changed in case and spacing only, into a pool and into the valid set."
    test = files['parallel/en-fr.test.tsv.xz']
    mono = pd.DataFrame({'text': [*files['mono/fr.tsv.xz'].text[:1000], ' '.join(test.fr.iloc[0].upper().split())],
                         'source': 'mono'})
    assert find_leaks({'parallel/en-fr.test.tsv.xz': test, 'mono/fr.tsv.xz': mono}) == [
        'mono/fr.tsv.xz: 1 row holds a segment of parallel/en-fr.test.tsv.xz']
    multiway = {rel: files[rel] for rel in ('multiway/test.tsv.xz', 'multiway/valid.tsv.xz')}
    assert find_leaks(multiway) == []
    multiway['multiway/valid.tsv.xz'] = pd.concat([multiway['multiway/valid.tsv.xz'], files['multiway/test.tsv.xz'][:1]])
    assert find_leaks(multiway) == ['multiway/valid.tsv.xz: 1 row holds a segment of multiway/test.tsv.xz']

def test_pair_tests_are_whole_documents_of_the_training_sources(files):
    for pair in PAIRS:
        train, test = load_parallel(pair, 'train'), load_parallel(pair, 'pair-test')
        docs = lambda df: set(df['source'].str.split(':').str[0] + '|' + df['doc'])
        assert not docs(train) & docs(test), pair
        assert set(test['source'].str.split(':').str[0]) <= set(train['source'].str.split(':').str[0]), pair
        for split in ('valid', 'test'):  # the multi-way sets' documents, named source|doc, are held out whole too
            assert not (train['source'] + '|' + train['doc']).isin(set(load_parallel(pair, split)['doc'])).any(), pair

def test_the_en_fr_test_set_is_large_enough_for_the_cpu_study():
    "At least 4,000 en-fr pairs of at most 48 tokens a side, as the cpu study scores them."
    from scaling_downstream.pairs import short_pairs
    from scaling_downstream.tokenizer import load_tokenizer
    assert len(short_pairs(load_tokenizer('tokenizer-2k'), load_parallel('en-fr', 'pair-test'), 48)) >= 4000

def test_monolingual_pools_hold_the_tokens_the_study_needs():
    "Counted with the committed tokenizer, as the manifest says: enough for the cpu and gpu scales' largest D_p."
    from scaling_downstream.mixtures import TokenPool
    from scaling_downstream.tokenizer import load_tokenizer
    tok = load_tokenizer()
    need = {'en': 6e6, 'de': 5e6, 'fr': 5e6, 'ro': 1.8e6}
    for lang, n in need.items():
        tokens = TokenPool(lang, load_mono(lang)['text'].tolist(), tok).n_tokens
        assert tokens == MANIFEST['tokens']['mono'][lang], lang
        assert tokens >= n, (lang, tokens)
