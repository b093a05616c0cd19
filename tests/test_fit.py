"The fitting module: the laws compute their formulas, and the Chinchilla reproduction holds within 10 s."
import time
import numpy as np, pandas as pd
from conftest import CHINCHILLA, REPLICATION

def test_the_laws_are_the_papers():
    "Each public law computes its formula: the log-law (Isik et al., Eq. 1), the power law, Chinchilla's, Gordon et al.'s."
    from scaling_downstream.fit import LAWS, log_law, power_law, chinchilla_law, gordon_law
    assert set(LAWS) >= {'log_law', 'power_law', 'chinchilla_law', 'gordon_law'}
    d = np.array([1e6, 1e9])
    np.testing.assert_allclose(log_law(d, A=2.0, alpha=0.2, beta=1.5), (np.log(2.0 * d**0.2))**1.5, rtol=1e-12)
    np.testing.assert_allclose(power_law(d, E=1.0, A=50.0, alpha=0.3), 1.0 + 50.0 / d**0.3, rtol=1e-12)
    np.testing.assert_allclose(gordon_law(np.array([2.0, 3.0]), C=80.0, k=0.5), 80.0 * np.exp(-0.5 * np.array([2.0, 3.0])), rtol=1e-12)
    np.testing.assert_allclose(chinchilla_law({'N': np.array([1e8]), 'D': np.array([1e10])}, E=1.7, A=400.0, B=2000.0, alpha=0.34, beta=0.37),
                               1.7 + 400.0 / 1e8**0.34 + 2000.0 / 1e10**0.37, rtol=1e-12)

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
