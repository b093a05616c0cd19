"""The section "The paper at its own size: planned and checked offline" of bench/RESULTS.md, written from the committed
records: the plans `--check` prints offline (bench/results/paper_plan.txt, by `bench/plans/paper_plan.py`) and the toy
study's times on this machine (bench/results/paper_toy.jsonl, by `bench/timing/paper_toy.py`), so that every number in
it comes from a record. Usage: python bench/tables/paper_section.py > /tmp/section.md"""
import json, sys, textwrap
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py
from common import ROOT

R = ROOT/'bench/results'

def main():
    plan = (R/'paper_plan.txt').read_text().rstrip()
    toy = json.loads((R/'paper_toy.jsonl').read_text().splitlines()[-1])
    sharding = toy['pretrain_sharded_2_processes_s'] / toy['pretrain_plain_1_process_s']
    cost = textwrap.fill(' '.join(f"""**What it costs here** (`.venv/bin/python bench/timing/paper_toy.py`, record
        `bench/results/paper_toy.jsonl`, on {toy['machine']}, {toy['when']}): the toy study, all three tasks on
        {toy['workers']} workers, {toy['study_s']:.0f} s. Its first mixture's pretraining (smoke model,
        {toy['pretrain_steps']} steps of 8 sequences) took {toy['pretrain_plain_1_process_s']:.0f} s on one process
        unsharded and {toy['pretrain_sharded_2_processes_s']:.0f} s on two processes sharding it ({sharding:.1f}× the
        time: on a CPU, gloo's collectives and recomputed activations cost more than a model this small computes),
        and {toy['pretrain_sharded_1_process_s']:.0f} s sharded over a group of one. These times say what the tests
        cost, not what a GPU would do.""".split()), 120, break_long_words=False, break_on_hyphens=False)
    print(f"""## The paper at its own size: planned and checked offline (`bench/plans/paper_plan.py`)

`specs/paper.yaml` (T5-3B), `specs/paper-770m.yaml` and `specs/paper-small.yaml` are the paper's study for a GPU
cluster (README, "On a cluster"). No GPU has run any of it. Below are the plans `--check` prints, here, without the data
or a GPU, and the rehearsals on this CPU that the tests run.

**The plans** (`.venv/bin/python bench/plans/paper_plan.py`; record `bench/results/paper_plan.txt`). Memory a GPU is
counted, not estimated from a formula: the weights, gradients and optimiser state from the parameters' shapes, the
activations from the tensors a bf16 forward pass saves for the backward pass on PyTorch's `meta` device (`08e_plan`
checks the count against a real forward pass on the CPU, byte for byte). The GPU-hours are FLOPs at an assumed MFU,
named in each plan's first line:

```
{plan}
```

**Rehearsed on this CPU**, with gloo in place of NCCL, by the tests:

- `tests/test_pipeline.py::test_sharded_run_killed_and_resumed_to_the_same_weights`: two processes sharding one model
  (FSDP2), with Adafactor, recomputed activations and micro-batches of 2, killed between two saves and started again,
  end at the uninterrupted run's weights bit for bit; and that model is the one a single unsharded process trains, to
  within a thousandth of how far the weights moved.
- `04a_shard`: the `Adafactor` that steps sharded weights gives `transformers`' (`relative_step=False,
  scale_parameter=False`) to float rounding.
- `tests/test_slurm.py::test_the_paper_spec_at_toy_size_through_slurm`: `specs/paper-toy.yaml`'s en-ro task through the
  one-node SLURM, its pretraining job two processes sharding the model, its data read through the spec's own `datasets`
  calls from `nbs/fixtures/hub`, a folder laid out as the hub's repositories; `tests/test_paper.py` runs its three
  tasks with local workers.
- `tests/test_slurm.py::test_a_job_across_two_nodes_trains_as_one`: the two tasks of a 2-node job played on this
  machine meet through the static rendezvous and train as one run.

{cost}

**Not done here**: any GPU run, so no NCCL, no bf16 weights gathered by FSDP, no measured MFU; the real mC4, WMT and
mT5 downloads (no hub is reachable here); and a pool read as a true stream: a pool takes its first `max_docs` documents
through `datasets` streaming but keeps them in `datasets`' cache, which at the paper's size is the subset it trains on,
hundreds of GB, not the whole of mC4; each job counts its pools' tokens once (cached by content, no lock between jobs),
and a resumed job reads its data again up to where it stopped.
""")

if __name__ == '__main__': main()
