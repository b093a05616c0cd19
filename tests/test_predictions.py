"What the committed results predict, with both intervals, and how often small runs pick the right data."
import json
import numpy as np, pandas as pd
from conftest import BIN, ROOT, run

def made_study(curves, d_p=np.geomspace(5e4, 1.6e6, 5)):
    "A made-up en-fr results table: {mixture: BLEU at each D_p}, one seed."
    return pd.concat([pd.DataFrame(dict(pair='en-fr', mixture=m, D_f=50_000, seed=0, D_p=d_p, bleu=b, ce=4.0)) for m, b in curves.items()],
                     ignore_index=True)

def test_decision_accuracy_is_1_on_curves_that_never_cross_and_below_1_on_curves_that_do():
    from scaling_downstream.analysis import decision_accuracy, decision_summary
    from scaling_downstream.fit import log_law
    d_p = np.geomspace(5e4, 1.6e6, 5)
    apart = made_study({m: log_law(d_p, A=a, alpha=0.3, beta=1.5) for m, a in (('en', 1.5), ('fr', 2.0), ('en50-fr50', 3.0))})
    summary = decision_summary(decision_accuracy(apart)).set_index('method')
    assert summary.accuracy.tolist() == [1.0, 1.0] and summary.loc['raw', 'decisions'] == 12 and not summary.wrong.any()
    crossing = made_study({'en': np.linspace(4, 6, 5), 'fr': np.linspace(2, 9, 5)})
    raw = decision_summary(decision_accuracy(crossing)).set_index('method').loc['raw']
    assert raw.accuracy < 1 and 'en vs fr' in raw.wrong and raw.decisions == 4

def test_sd_guide_prints_decisions_and_gives_json():
    text = run(BIN/'sd-guide', ROOT/'results/domain', '--pair', 'en-fr')
    assert text.returncode == 0, text.stderr
    assert 'too few checkpoints to judge' in text.stdout and 'choosing among the mixtures by BLEU' in text.stdout
    report = json.loads(run(BIN/'sd-guide', ROOT/'results/cpu', '--pair', 'en-fr', '--json').stdout)
    assert [v['mixture'] for v in report['verdicts']] == ['en', 'en50-fr50', 'fr']
    assert {d['method'] for d in report['decisions']} == {'raw', 'law'} and len(report['rollout']) == 3
