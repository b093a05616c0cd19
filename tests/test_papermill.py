"The parameterised fit notebook, executed by papermill as `make study` does, on a results table and on Chinchilla."
import json
import pandas as pd
from conftest import BIN, ROOT, REPLICATION, run

NOTEBOOK = ROOT/'papermill_runs/fit_law.ipynb'

def test_notebook_keeps_its_parameters_cell():
    cells = json.loads(NOTEBOOK.read_text())['cells']
    assert sum('parameters' in c['metadata'].get('tags', []) for c in cells) == 1

def test_log_law_run_on_a_results_table(bleu_csv, tmp_path):
    out = tmp_path/'out'
    r = run(BIN/'papermill', '--cwd', ROOT, NOTEBOOK, tmp_path/'run.ipynb', '-p', 'csv_path', bleu_csv,
            '-p', 'law', 'log_law', '-p', 'x_columns', 'D_p', '-p', 'y_column', 'bleu', '-p', 'query', "pair == 'en-de'",
            '-p', 'order_by', 'None', '-p', 'n_fit', 4, '-p', 'n_bootstrap', 50, '-p', 'out_dir', out, '-p', 'name', 'en_de')
    assert r.returncode == 0, r.stderr[-3000:]
    params = pd.read_csv(out/'en_de_params.csv', index_col=0)
    assert abs(params.loc['A', 'estimate'] - 1.5) < 1e-3 and (params['lo'] <= params['hi']).all()
    assert len(pd.read_csv(out/'en_de_held_out.csv')) == 4
    assert (out/'en_de.png').stat().st_size > 10_000 and (out/'en_de.pdf').exists()

def test_make_chinchilla_reproduces_the_replication(tmp_path):
    "`make chinchilla`, pointed at a scratch folder."
    r = run('make', '--no-print-directory', 'chinchilla', f'OUT={tmp_path}')
    assert r.returncode == 0, r.stderr[-3000:]
    params = pd.read_csv(tmp_path/'fit_chinchilla_params.csv', index_col=0)
    assert (params['rel_diff'].abs() < 0.005).all(), params
    assert set(params.index) == set(REPLICATION)
    assert (tmp_path/'fit_chinchilla.png').exists() and (tmp_path/'fit_chinchilla.ipynb').exists()
