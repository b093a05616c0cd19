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
    assert table.bleu.max() < 1  # smoke models do not translate: the guide says so instead of judging BLEU
    assert verdicts.verdict.str.startswith('cannot judge: BLEU is below 1').all(), verdicts.verdict.tolist()
    guide = run(BIN/'sd-guide', tmp_path/'results/de-fr-docs', '--pair', 'de-fr')
    assert guide.returncode == 0 and 'de-fr, pretrained on de_docs50-fr_docs50, D_f=20,000:' in guide.stdout, guide.stderr

def test_a_bad_spec_fails_before_any_work(tmp_path):
    spec = tmp_path/'study.yaml'
    spec.write_text("name: mine\npools: {web: {lang: de, corpus: all}}\nmixtures: [web]\ntasks: {en-de: {corpus: en-de}}\nmilestone: [1000]\n")
    r = reproduce_spec(tmp_path, spec)
    assert r.returncode == 1 and "study.yaml: milestone: unknown key (did you mean 'milestones'?)" in r.stderr
    spec.write_text("name: mine\npools: {web: {lang: de, files: [web.txt]}}\nmixtures: [web]\ntasks: {en-de: {corpus: en-de}}\n")
    r = reproduce_spec(tmp_path, spec)
    assert r.returncode == 1 and 'web.txt' in r.stderr and 'no such file' in r.stderr
    assert not (tmp_path/'runs').exists() and not (tmp_path/'out').exists()
    spec.write_text("name: mine\npools: {web: {lang: de, corpus: all}}\nmixtures: [web]\ntasks: {en-de: {corpus: en-de}}\n"
                    "cluster: {sbatch: {account: \"lab\\nrm -rf $HOME #\"}}\n")  # a shell line hidden in an sbatch value
    r = reproduce_spec(tmp_path, spec, '--launcher', 'slurm', '--dry_run')
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and 'holds a control character' in r.stderr, r.stderr
    assert 'rm -rf' not in r.stdout and not (tmp_path/'runs').exists()

def test_check_prints_the_plan_or_every_error_and_writes_nothing(tmp_path):
    "`--check`: a good spec's checks (its data too) and its plan; a bad spec's every error, one line each; nothing written."
    from scaling_downstream.spec import write_example
    spec = write_example(tmp_path/'study')
    r = reproduce_spec(tmp_path, spec, '--check')
    assert r.returncode == 0 and 'de-fr-docs: 13 jobs' in r.stdout and '11 finetune (smoke model)' in r.stdout, r.stdout + r.stderr
    text = spec.read_text()
    spec.write_text(text.replace('d_f: [20000]', 'd_f: [20000]\nd_f: [.inf]').replace('max_steps: 10', 'max_steps: 0, lr: -1')
                    .replace('limit: 8', 'limit: -5, limt: 3'))
    r = reproduce_spec(tmp_path, spec, '--check')
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(lines) == 6, r.stderr
    for says in ("line 17: key 'd_f' given twice", 'd_f.0: inf: should be a finite number', 'finetune.max_steps: 0',
                 'finetune.lr: -1: should be greater than 0', 'evaluation.limit: -5', "evaluation.limt: unknown key (did you mean 'limit'?)"):
        assert sum(says in l for l in lines) == 1, (says, lines)
    spec.write_text(text.replace('milestones: [4000, 8000, 16000, 32000, 64000]', 'milestones: [4000, 8000, 16000, 32000, 64000000]'))
    r = reproduce_spec(tmp_path, spec, '--check')
    assert r.returncode == 1 and 'up to D_p = 64,000,000 tokens' in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    r = reproduce_spec(tmp_path, spec, '--launcher', 'slurm', '--dry_run')  # reads no data, as a plan does: scripts only
    assert r.returncode == 0 and '#SBATCH --job-name=sd-pretrain' in r.stdout, r.stderr
    assert not (tmp_path/'runs').exists() and not (tmp_path/'results').exists() and not (tmp_path/'out').exists()

def test_a_runs_folder_others_can_write_is_refused(tmp_path):
    (tmp_path/'shared').mkdir(); (tmp_path/'shared').chmod(0o777)
    r = run(BIN/'sd-reproduce', '--scale', 'smoke', '--runs', tmp_path/'shared', '--results', tmp_path/'results', '--out', tmp_path/'out')
    assert r.returncode == 1 and 'others can write to it (mode drwxrwxrwx)' in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert list((tmp_path/'shared').iterdir()) == [] and not (tmp_path/'out').exists()

def test_sd_guide_and_sd_fit_name_bad_input(tmp_path):
    r = run(BIN/'sd-guide', ROOT/'results/cpu-curves', '--pair', 'en-xx')
    assert r.returncode == 1 and 'has no results for en-xx; it has en-de, en-fr, en-ro' in r.stderr
    (tmp_path/'empty.csv').write_text('')
    for command in ('sd-guide', 'sd-fit'):
        r = run(BIN/command, tmp_path/'empty.csv')
        assert r.returncode == 1 and 'empty.csv is empty' in r.stderr, (command, r.stderr)
