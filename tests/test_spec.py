"A study of your own data: a spec over files in a temporary folder, run end to end by `sd-reproduce --spec`; bad input."
import pandas as pd
from conftest import BIN, ROOT, run

def reproduce_spec(tmp_path, spec, *args):
    return run(BIN/'sd-reproduce', '--spec', spec, '--runs', tmp_path/'runs', '--results', tmp_path/'results', '--out', tmp_path/'out',
               '--quiet', *args)

def test_a_spec_of_your_own_files_runs_end_to_end(tmp_path):
    "A de→fr task and de, fr, en pools in three file formats (real text from the embedded corpus) through the study at smoke scale."
    from scaling_downstream.spec import write_example
    spec = write_example(tmp_path/'study')
    r = reproduce_spec(tmp_path, spec)
    assert r.returncode == 0, r.stderr[-3000:]
    table = pd.read_csv(tmp_path/'results/de-fr-docs/de-fr.csv')
    assert (table.pair == 'de-fr').all() and table.bleu.notna().all() and len(table) == 1 + 2*5
    alignment = table.groupby('mixture').alignment.first()
    assert alignment['de_docs50-fr_docs50'] == 1.0 and alignment['en_docs'] == 0.0  # Eq. 2 by the pools' languages
    figures = tmp_path/'out/de-fr-docs'
    for name in ('mixtures', 'en_docs', 'de_docs50-fr_docs50', 'bleu_vs_ce'):
        assert (figures/f'de-fr_{name}.png').stat().st_size > 10_000, name
    verdicts = pd.read_csv(figures/'de-fr_verdicts.csv')
    assert set(verdicts.mixture) == {'en_docs', 'de_docs50-fr_docs50'}
    if table.bleu.max() < 1:  # smoke models do not translate: the guide says so instead of judging BLEU
        assert verdicts.verdict.str.startswith('cannot judge: BLEU is below 1').all(), verdicts.verdict.tolist()
    else: assert verdicts.verdict.str.match(r'(aligned|not aligned|too few checkpoints|cannot judge): ').all(), verdicts.verdict.tolist()
    guide = run(BIN/'sd-guide', tmp_path/'results/de-fr-docs', '--pair', 'de-fr')
    assert guide.returncode == 0 and 'de-fr, pretrained on de_docs50-fr_docs50, D_f=20,000:' in guide.stdout, guide.stderr

def test_a_bad_spec_fails_before_any_work(tmp_path):
    spec = tmp_path/'study.yaml'
    spec.write_text("name: mine\npools: {web: {lang: de, corpus: all}}\nmixtures: [web]\ntasks: {en-de: {corpus: en-de}}\nmilestone: [1000]\n")
    r = reproduce_spec(tmp_path, spec)
    assert r.returncode == 1 and "study.yaml: unknown key 'milestone' (did you mean 'milestones'?)" in r.stderr
    spec.write_text("name: mine\npools: {web: {lang: de, files: [web.txt]}}\nmixtures: [web]\ntasks: {en-de: {corpus: en-de}}\n")
    r = reproduce_spec(tmp_path, spec)
    assert r.returncode == 1 and 'web.txt' in r.stderr and 'no such file' in r.stderr
    assert not (tmp_path/'runs').exists() and not (tmp_path/'out').exists()
    spec.write_text("name: mine\npools: {web: {lang: de, corpus: all}}\nmixtures: [web]\ntasks: {en-de: {corpus: en-de}}\n"
                    "cluster: {sbatch: {account: \"lab\\nrm -rf $HOME #\"}}\n")  # a shell line hidden in an sbatch value
    r = reproduce_spec(tmp_path, spec, '--launcher', 'slurm', '--dry_run')
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and 'holds a control character' in r.stderr, r.stderr
    assert 'rm -rf' not in r.stdout and not (tmp_path/'runs').exists()

def test_sd_guide_and_sd_fit_name_bad_input(tmp_path):
    r = run(BIN/'sd-guide', ROOT/'results/cpu-curves', '--pair', 'en-xx')
    assert r.returncode == 1 and 'has no results for en-xx; it has en-de, en-fr, en-ro' in r.stderr
    (tmp_path/'empty.csv').write_text('')
    for command in ('sd-guide', 'sd-fit'):
        r = run(BIN/command, tmp_path/'empty.csv')
        assert r.returncode == 1 and 'empty.csv is empty' in r.stderr, (command, r.stderr)
