"""How long pretraining's data takes to make, against the step it feeds: the batches of the cpu study's pretraining
(en50-fr50, its preset, input length and batch size from specs/cpu.yaml), span corruption and tokenisation included,
made one after another on one thread as `_prefetch`'s thread makes them.

    OMP_NUM_THREADS=1 .venv/bin/python bench/timing/batch_time.py [--repeats 200]
"""
import sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import machine, parser
from scaling_downstream.mixtures import MixtureStream
from scaling_downstream.tokenizer import load_tokenizer
from scaling_downstream.grid import STUDY_SCALES
from scaling_downstream.pretrain import PretrainConfig, SpanCorruption, _batches

if __name__ == '__main__':
    a = parser(__doc__, repeats=200).parse_args()
    grid = STUDY_SCALES['cpu']['pretrain']
    cfg = PretrainConfig('en50-fr50', milestones=STUDY_SCALES['cpu']['milestones'], **{k: v for k, v in grid.items() if k in PretrainConfig.__dataclass_fields__})
    tok = load_tokenizer(cfg.tokenizer)
    sc = SpanCorruption(cfg.input_length, cfg.noise_density, cfg.mean_span, first_sentinel=tok.convert_tokens_to_ids('<extra_id_0>'))
    batches = _batches(MixtureStream(cfg.mixture, cfg.steps * cfg.tokens_per_step, tok, None, seed=cfg.data_seed), sc, cfg, 0, 0, 1)
    next(batches)  # the stream's first documents read
    t0 = time.perf_counter()
    for _ in range(a.repeats): next(batches)
    print(f"{machine()}\n{a.repeats} batches of {cfg.batch_size} x {cfg.input_length} tokens (cpu study, en50-fr50): "
          f"{(time.perf_counter() - t0) / a.repeats * 1000:.1f} ms a batch")
