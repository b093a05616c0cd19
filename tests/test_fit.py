"The fitting module as the issue asks for it: the public imports, and the Chinchilla reproduction within 10 s."
import time
import numpy as np, pandas as pd
from conftest import CHINCHILLA, REPLICATION

def test_public_api_imports():
    from scaling_downstream.fit import (fit_law, log_law, power_law, chinchilla_law, gordon_law,
                                        extrapolation_error, bootstrap, is_monotone)
    assert {l.name for l in (log_law, power_law, chinchilla_law, gordon_law)} == {'log_law', 'power_law', 'chinchilla_law', 'gordon_law'}

def test_chinchilla_approach3_reproduced_within_10_seconds():
    from scaling_downstream.fit import fit_law, chinchilla_law
    df = pd.read_csv(CHINCHILLA).nsmallest(240, 'loss')
    x = {'N': df['Model Size'].values, 'D': df['Training FLOP'].values/(6*df['Model Size'].values)}
    t0 = time.perf_counter()
    fit = fit_law(chinchilla_law, x, df['loss'].values)
    seconds = time.perf_counter() - t0
    assert fit.n_starts == 4500 and fit.converged
    for k, v in REPLICATION.items(): assert abs(fit.params[k]/v - 1) < 0.005, (k, fit.params[k], v)
    assert seconds <= 10, f"the 4,500-start fit took {seconds:.1f} s"
