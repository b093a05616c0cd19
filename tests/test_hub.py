"""The paper's hub data read from a mirror of the hub (`SD_HUB_MIRROR`), offline: the fixture `nbs/fixtures/hub`
(made by bench/tools/hub_fixtures.py) in the layouts of allenai/c4, wmt/wmt1x and google/mt5-small."""
import gzip, json
import pyarrow.parquet as pq, pytest
from conftest import ROOT

MIRROR = ROOT/'nbs'/'fixtures'/'hub'
C4 = MIRROR/'allenai'/'c4'/'multilingual'
WMT = {'en-de': ('wmt/wmt17', 'de-en'), 'en-fr': ('wmt/wmt15', 'fr-en'), 'en-ro': ('wmt/wmt16', 'ro-en')}
C4_DE = {'train': 'multilingual/c4-de.tfrecord-*.json.gz'}

@pytest.fixture(scope='session')
def cache(tmp_path_factory):
    "One cache folder for the session's tests: the Arrow files of the mirror's datasets are made once."
    return tmp_path_factory.mktemp('sd-cache')

@pytest.fixture
def hub(monkeypatch, cache):
    "The fixture mirror, the hub offline (in the environment, and in the libraries that read it when they load)."
    import datasets, huggingface_hub.constants
    for var, value in dict(SD_HUB_MIRROR=str(MIRROR), HF_HUB_OFFLINE='1', HF_DATASETS_OFFLINE='1',
                           SD_CACHE=str(cache)).items():
        monkeypatch.setenv(var, value)
    monkeypatch.setattr(datasets.config, 'HF_HUB_OFFLINE', True)
    monkeypatch.setattr(huggingface_hub.constants, 'HF_HUB_OFFLINE', True)
    return MIRROR

def c4_texts(name: str) -> list[str]:
    with gzip.open(C4/name, 'rt') as f: return [json.loads(line)['text'] for line in f]

def wmt_rows(pair: str, split: str) -> list[tuple[str, str]]:
    "The (English, other) pairs of a WMT split of the fixture, read straight from its Parquet file."
    repo, config = WMT[pair]
    table = pq.read_table(MIRROR/repo/config/f'{split}-00000-of-00001.parquet').to_pylist()
    return [(r['translation']['en'], r['translation'][pair[3:]]) for r in table]

def one_line(call, error, *parts) -> str:
    "The message of the `error` that `call` raises: one line, with no chained traceback, holding every one of `parts`."
    with pytest.raises(error) as e: call()
    said = str(e.value)
    assert '\n' not in said and (e.value.__suppress_context__ or e.value.__context__ is None), said
    for part in parts: assert part in said, said
    return said

def test_c4_pool(hub):
    "A streamed pool of mC4's German train shards: the first shard's first 50 documents; the glob skips validation."
    from scaling_downstream.userdata import open_pool, resolve_pool
    pool = {'lang': 'de', 'dataset': 'allenai/c4', 'split': 'train', 'max_docs': 50, 'kwargs': {'data_files': C4_DE}}
    docs = list(open_pool(resolve_pool('de', pool)))
    assert docs == c4_texts('c4-de.tfrecord-00000-of-00002.json.gz')[:50]
    validation = set(c4_texts('c4-de-validation.tfrecord-00000-of-00001.json.gz'))
    everything = list(open_pool(resolve_pool('de', dict(pool, max_docs=10**6))))
    train = c4_texts('c4-de.tfrecord-00000-of-00002.json.gz') + c4_texts('c4-de.tfrecord-00001-of-00002.json.gz')
    assert sorted(everything) == sorted(train) and not validation & set(everything)

def test_same_fingerprint_from_mirror_or_hub(hub, monkeypatch):
    "A resolved pool keeps the hub's name: its fingerprint does not depend on where its data came from."
    from scaling_downstream.userdata import pool_fingerprint, resolve_pool
    pool = {'lang': 'de', 'dataset': 'allenai/c4', 'max_docs': 50, 'kwargs': {'data_files': C4_DE}}
    mirrored = pool_fingerprint(resolve_pool('de', pool))
    monkeypatch.delenv('SD_HUB_MIRROR')
    assert pool_fingerprint(resolve_pool('de', pool)) == mirrored

@pytest.mark.parametrize('pair', WMT)
def test_wmt_task(hub, pair):
    "A WMT task from its Parquet config: the fixture's rows in every split, English the source."
    from scaling_downstream.userdata import resolve_task, task_pairs
    repo, config = WMT[pair]
    task = resolve_task(pair, {'dataset': repo, 'config': config})
    for split, name in [('train', 'train'), ('valid', 'validation'), ('test', 'test')]:
        got = task_pairs(pair, split, task)
        assert list(zip(got.src, got.tgt)) == wmt_rows(pair, name), (pair, split)

def test_mt5_tokenizer(hub):
    "mT5's tokenizer from the mirror: a fast tokenizer in T5's layout, its first sentinel the last id."
    from scaling_downstream.tokenizer import EOS, PAD, UNK, first_sentinel, load_tokenizer
    tok = load_tokenizer('google/mt5-small')
    assert tok.is_fast and (len(tok), tok.pad_token_id, tok.eos_token_id, tok.unk_token_id) == (1000, PAD, EOS, UNK)
    assert first_sentinel(tok) == len(tok) - 1 and tok('Die Datei.').input_ids[-1] == EOS
    ours = load_tokenizer('tokenizer-2k')
    assert first_sentinel(ours) == ours.convert_tokens_to_ids('<extra_id_0>') == len(ours) - 1

@pytest.mark.parametrize('datasets_offline', [True, False])
def test_not_in_the_mirror(hub, monkeypatch, datasets_offline):
    """Offline, a repository the mirror lacks is one line saying what to download, whether `datasets` loaded offline
    (it looks in its cache) or before the variables were set (it is not asked)."""
    import datasets
    from scaling_downstream.userdata import check_hub_dataset
    monkeypatch.setattr(datasets.config, 'HF_HUB_OFFLINE', datasets_offline)
    one_line(lambda: check_hub_dataset('wmt/wmt14', 'de-en', 'task en-de'), FileNotFoundError,
             'task en-de: dataset wmt/wmt14 could not be reached (offline)',
             "`hf download wmt/wmt14 --repo-type dataset --include 'de-en/*' 'README.md' "
             f"--local-dir {MIRROR}/wmt/wmt14`",
             f'SD_HUB_MIRROR={MIRROR}')

def test_errors(hub, monkeypatch):
    "A file the mirror lacks, a config the dataset lacks and a tokenizer not there: one line each."
    from scaling_downstream.tokenizer import load_tokenizer
    from scaling_downstream.userdata import check_hub_dataset, open_pool, resolve_pool
    one_line(lambda: check_hub_dataset('wmt/wmt17', 'xx-en', 'task en-xx'), ValueError,
             "task en-xx: wmt/wmt17 has no config 'xx-en'; it has de-en")
    spanish = {'lang': 'es', 'dataset': 'allenai/c4', 'max_docs': 5,
               'kwargs': {'data_files': {'train': 'multilingual/c4-es.tfrecord-*.json.gz'}}}
    one_line(lambda: open_pool(resolve_pool('es', spanish)), FileNotFoundError,
             "the mirror's allenai/c4", 'has no file multilingual/c4-es.tfrecord-*.json.gz',
             "hf download allenai/c4 --repo-type dataset --include 'multilingual/c4-es.tfrecord-*.json.gz'")
    one_line(lambda: load_tokenizer('google/mt5-smol'), FileNotFoundError,
             'tokenizer google/mt5-smol could not be reached (offline)',
             f"hf download google/mt5-smol --include '*.json' '*.model' --local-dir {MIRROR}/google/mt5-smol")
    monkeypatch.delenv('SD_HUB_MIRROR')
    one_line(lambda: load_tokenizer('google/mt5-small'), FileNotFoundError,
             'tokenizer google/mt5-small could not be reached (offline)', '--local-dir MIRROR/google/mt5-small')

def test_test_segments_held_out():
    "No segment of a WMT test split of the fixture is a pool's document, a line of one, or a side of a train pair."
    test = {t.strip() for pair in WMT for row in wmt_rows(pair, 'test') for t in row}
    for shard in C4.glob('c4-*.json.gz'):
        for doc in c4_texts(shard.name):
            assert doc.strip() not in test and not {line.strip() for line in doc.split('\n')} & test, shard.name
    for pair in WMT:
        assert not {t.strip() for row in wmt_rows(pair, 'train') for t in row} & test, pair
