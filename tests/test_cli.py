"`sd-fit` as a user runs it: an installed console script, on a CSV."
from conftest import BIN, CHINCHILLA, run

def test_help_explains_the_options():
    r = run(BIN/'sd-fit', '--help')
    assert r.returncode == 0
    for word in ('--law', '--x', '--y', '--n_fit', '--query', '--plot', 'log_law'): assert word in r.stdout

def test_fits_one_curve_of_a_results_table_and_draws_it(bleu_csv, tmp_path):
    png = tmp_path/'figs'/'bleu.png'
    r = run(BIN/'sd-fit', bleu_csv, '--y', 'bleu', '--x', 'D_p', '--query', "pair == 'en-fr'", '--plot', png)
    assert r.returncode == 0, r.stderr
    assert 'A=3, alpha=0.2, beta=2 ' in r.stdout  # noise-free points give the law back
    assert 'bleu is monotone in D_p' in r.stdout and '4 held out' in r.stdout
    assert png.read_bytes()[:4] == b'\x89PNG'

def test_chinchilla_with_derived_tokens():
    r = run(BIN/'sd-fit', CHINCHILLA, '--law', 'chinchilla_law', '--y', 'loss', '--x', 'N=`Model Size`',
            'D=`Training FLOP` / (6 * `Model Size`)', '--query', '(-loss).rank() > 5', '--n_fit', '200', '--by', '`Training FLOP`')
    assert r.returncode == 0, r.stderr
    assert 'E=1.8172' in r.stdout and 'alpha=0.3473' in r.stdout and '40 held out' in r.stdout

def test_bad_input_is_one_clear_line(bleu_csv, tmp_path):
    cases = [((tmp_path/'nope.csv',), 'no such CSV file'),
             ((bleu_csv, '--y', 'comet'), "'comet' is neither a column"),
             ((bleu_csv, '--law', 'cubic'), 'unknown law'),
             ((bleu_csv, '--query', "pair == 'en-ro'"), 'selects no rows'),
             ((bleu_csv, '--query', "pair == 'en-de' and D_p < 1e7"), 'needs at least 4 points, got 2')]
    for args, message in cases:
        r = run(BIN/'sd-fit', *args)
        assert r.returncode == 1 and message in r.stderr and 'Traceback' not in r.stderr, (args, r.stderr)
    png = tmp_path/'never.png'
    assert run(BIN/'sd-fit', bleu_csv, '--y', 'nope', '--plot', png).returncode == 1 and not png.exists()
