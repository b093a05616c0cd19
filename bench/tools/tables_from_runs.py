"""The cpu results tables of a sweep that was stopped before its end: for each pair given, the finished finetunes of its
planned cpu sweep (runs/cpu), their paired tests and translations, written as papermill_runs/pair_study.ipynb writes
them; then `sd-reproduce --scale cpu --plot_only --pairs ...` draws the figures.
Usage: python bench/tools/tables_from_runs.py en-de en-fr"""
import sys
from pathlib import Path
from scaling_downstream.grid import study_jobs
from scaling_downstream.jobs import job_done, job_key
from scaling_downstream.results import example_models, examples, paired_tests, results
from scaling_downstream.analysis import aligned_mixture
from scaling_downstream.core import save_results
root = Path('runs/cpu')
for pair in sys.argv[1:]:
    keys = [job_key(s) for s in study_jobs(pair, 'cpu') if s['kind'] == 'finetune']
    done = [k for k in keys if job_done(root, k)]
    print(pair, f"{len(done)} of {len(keys)} finetunes done")
    table = results(root, done)
    save_results(table, Path('results/cpu')/f'{pair}.csv')
    save_results(paired_tests(table, root), Path('results/cpu')/pair/'paired.csv')
    save_results(examples(root, example_models(table, aligned_mixture(pair))), Path('results/cpu')/pair/'examples.csv')
