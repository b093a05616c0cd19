"""The speed levers of the `cpu` preset, each measured side by side with today's code in one run.

    .venv/bin/python bench/timing/speed_levers.py [--rounds 3] [--steps 40] [--threads 1] [--model FINETUNED_MODEL] \
        [--only NAME ...] [--out FILE]

Each round trains the same steps under every set of levers in turn, so that a ratio compares runs minutes apart on
the same machine; the table gives each lever's median over the rounds and its median ratio to today's code (fp32,
eager: `SD_LEVERS=fp32`) in the same round. The sets, one change at a time, then the combinations:

- AdamW with `foreach` or `fused` kernels (fp32);
- fp32 with oneDNN's bf16 matrix products (`torch.backends.mkldnn.matmul.fp32_precision = 'bf16'`; MKL's fp32
  products are the default);
- bf16 autocast; `torch.compile` (inductor) in fp32; bf16 with compile (what `choose_levers` picks where bf16 is
  native); and that with fused AdamW.

The measures: pretraining text tokens/s (`pretrain`, the cpu study's settings, en50-fr50), finetuning pairs/s
(`finetune`, its large-D_f recipe, 128 pairs a step), each from the steps after the first five (a compiled step
compiles in its first: that time is given apart), and decoding sentences/s (`translate`, greedy, the study's 400 test
pairs, in fp32 and in bf16 autocast) of a model that translates (--model, or one finetuned here first, untimed).
Last, the worker layout, with today's levers and the chosen ones: two one-thread processes side by side, as the
study's workers run, against one process of two threads: the machine's pretraining tokens/s.

One thread per process by default, as each of the study's two workers trains. Writes bench/results/speed_levers.json
(--out: another name).
"""
import contextlib, json, multiprocessing as mp, sys, tempfile, time
from pathlib import Path
import pandas as pd, torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import ROOT, machine, parser
from step_profile import FINETUNE, PRETRAIN, Phases
import scaling_downstream.evaluate as evaluate_module
import scaling_downstream.finetune as finetune_module
import scaling_downstream.pretrain as pretrain_module
from scaling_downstream.finetune import FinetuneConfig, finetune
from scaling_downstream.machine import Levers, autocast, choose_levers
from scaling_downstream.pretrain import PretrainConfig, pretrain

FP32 = Levers()
VARIANTS = {  # name: (levers, AdamW keywords, oneDNN's bf16 products for fp32)
    'fp32 (today)': (FP32, {}, False), 'fp32, AdamW foreach': (FP32, dict(foreach=True), False),
    'fp32, AdamW fused': (FP32, dict(fused=True), False), 'fp32, oneDNN bf16 products': (FP32, {}, True),
    'bf16': (Levers(bf16=True), {}, False), 'fp32+compile': (Levers(compile=True), {}, False),
    'bf16+compile': (Levers(True, True), {}, False),
    'bf16+compile, AdamW fused': (Levers(True, True), dict(fused=True), False)}

@contextlib.contextmanager
def variant(adamw: dict, bf32: bool):
    "AdamW built with `adamw`'s keywords, and fp32 products in oneDNN's bf16 if `bf32`, inside the block."
    original, precision = torch.optim.AdamW, torch.backends.mkldnn.matmul.fp32_precision
    # the loops build theirs as torch.optim.AdamW(...)
    torch.optim.AdamW = lambda *a, **k: original(*a, **{**k, **adamw})
    if bf32: torch.backends.mkldnn.matmul.fp32_precision = 'bf16'
    try: yield
    finally: torch.optim.AdamW, torch.backends.mkldnn.matmul.fp32_precision = original, precision

def step_times(run, module) -> list[float]:
    "The end times of the training steps of `run()`, taken by timing `module`'s train_step."
    phases, saved = Phases(), module.train_step
    ends = []
    def timed(*args, **kwargs): phases.train_step(*args, **kwargs); ends.append(time.perf_counter())
    module.train_step = timed
    try: run()
    finally: module.train_step = saved
    return ends

def rate(ends: list, units_per_step: float, skip: int=5) -> tuple[float, float]:
    "Units a second over the steps after the first `skip`, and the seconds the first `skip` took beyond that rate."
    steady = (len(ends) - 1 - skip) / (ends[-1] - ends[skip])
    return units_per_step * steady, (ends[skip] - ends[0]) - (skip) / steady

def pretrain_rate(levers: Levers, steps: int, tmp: Path) -> tuple[float, float]:
    "Text tokens/s of the cpu study's pretraining under `levers`, and its first steps' extra seconds (compiling)."
    per_step = PretrainConfig(**PRETRAIN).tokens_per_step
    config = PretrainConfig(**{**PRETRAIN, 'milestones': [steps * per_step], 'save_every': 10**9})
    out = Path(tempfile.mkdtemp(dir=tmp))
    ends = step_times(lambda: pretrain(config, out, progress=False, levers=levers, log_every=10**9), pretrain_module)
    return rate(ends, per_step)

def finetune_rate(levers: Levers, steps: int) -> tuple[float, float]:
    """Training pairs/s of the cpu study's large-D_f finetune under `levers` (no validation), and its first steps'
    extra seconds."""
    config = FinetuneConfig(**dict(FINETUNE, max_steps=steps, eval_every=10**6))
    ends = step_times(lambda: finetune(config, progress=False, levers=levers), finetune_module)
    return rate(ends, config.batch_size)

def decode_rate(model, bf16: bool, limit: int) -> tuple[float, float]:
    """Sentences/s of greedy decoding of the study's test pairs (as `evaluate` decodes them), in bf16 autocast or fp32;
    and BLEU."""
    from sacrebleu import corpus_bleu
    from scaling_downstream.pairs import short_pairs
    from scaling_downstream.tokenizer import load_tokenizer
    from scaling_downstream.userdata import task_pairs
    tok = load_tokenizer(FINETUNE['tokenizer'])
    data = short_pairs(tok, task_pairs('en-fr', 'test'), FINETUNE['max_tokens']).iloc[:limit]
    saved = evaluate_module.autocast
    evaluate_module.autocast = lambda device: autocast(device, bf16)  # evaluation's precision, replaced for this call
    try:
        t = time.perf_counter()
        hyps = evaluate_module.translate(model, tok, data.src, max_new_tokens=FINETUNE['max_tokens'] + 16)
        seconds = time.perf_counter() - t
    finally: evaluate_module.autocast = saved
    return len(data) / seconds, corpus_bleu(hyps, [list(data.tgt)]).score

def layout_rate(levers: str, steps: int, threads: int, out) -> None:
    "In a process of its own: the pretraining rate on `threads` threads (for `side_by_side`)."
    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as tmp: out.put(pretrain_rate(Levers.parse(levers), steps, Path(tmp))[0])

def side_by_side(levers: Levers, steps: int, processes: int, threads: int) -> float:
    "The pretraining tokens/s of `processes` processes of `threads` threads each, started together, summed."
    ctx = mp.get_context('spawn'); q = ctx.Queue()
    procs = [ctx.Process(target=layout_rate, args=(str(levers), steps, threads, q)) for _ in range(processes)]
    for p in procs: p.start()
    rates = [q.get() for _ in procs]
    for p in procs: p.join()
    return sum(rates)

def main():
    ap = parser(__doc__, repeats=None)
    ap.add_argument('--rounds', type=int, default=3); ap.add_argument('--steps', type=int, default=40)
    ap.add_argument('--threads', type=int, default=1); ap.add_argument('--model', default=None)
    ap.add_argument('--limit', type=int, default=400)
    ap.add_argument('--only', nargs='+', default=None,
                    help='the sets of levers to measure, by name (default: all; today\'s always)')
    ap.add_argument('--out', default='speed_levers.json', help='its record, in bench/results/')
    ap.add_argument('--table', action='store_true', help='print the table of the record --out and stop')
    a = ap.parse_args()
    if a.table: return print(table(json.loads((ROOT/'bench/results'/a.out).read_text())))
    torch.set_num_threads(a.threads)
    chosen = choose_levers('cpu', 10**4)
    print(f"{machine()}, {a.threads} thread(s) a process, torch {torch.__version__}; chosen here: {chosen}", flush=True)
    model = (finetune_module.load_checkpoint(a.model) if a.model else
             finetune(FinetuneConfig(**dict(FINETUNE, max_steps=300, eval_every=100)), progress=False)[0])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.rounds):
            for name, (levers, adamw, bf32) in VARIANTS.items():
                if a.only and name not in a.only and name != 'fp32 (today)': continue
                with variant(adamw, bf32):
                    (tokens, pt_extra), (pairs, ft_extra) = (pretrain_rate(levers, a.steps, Path(tmp)),
                                                             finetune_rate(levers, a.steps))
                rows.append(dict(round=r, lever=name, pretrain_tokens_per_s=tokens, finetune_pairs_per_s=pairs,
                                 pretrain_first_steps_extra_s=pt_extra, finetune_first_steps_extra_s=ft_extra))
                print(json.dumps(rows[-1], default=lambda v: round(v, 2)), flush=True)
            for name, bf16 in (('fp32 (today)', False), ('bf16', True)):
                sentences, bleu = decode_rate(model, bf16, a.limit)
                rows.append(dict(round=r, lever=name, decode_sentences_per_s=sentences, decode_bleu=bleu))
                print(json.dumps(rows[-1], default=lambda v: round(v, 2)), flush=True)
    layouts = []
    for levers in dict.fromkeys([FP32, chosen]):
        for processes, threads in ((2, 1), (1, 2)):
            layouts.append(dict(levers=str(levers), processes=processes, threads=threads,
                                tokens_per_s=side_by_side(levers, a.steps, processes, threads)))
            print(json.dumps(layouts[-1], default=lambda v: round(v, 1)), flush=True)
    record = dict(machine=machine(), threads=a.threads, torch=torch.__version__, date=time.strftime('%Y-%m-%d'),
                  steps=a.steps, chosen=str(chosen), rounds=rows, layouts=layouts)
    record['table'] = ratios(record)
    (ROOT/'bench/results'/a.out).write_text(json.dumps(record, indent=1) + '\n')
    print(table(record))

MEASURES = {'pretrain_tokens_per_s': 'pretraining', 'finetune_pairs_per_s': 'finetuning',
            'decode_sentences_per_s': 'decoding'}

def ratios(record: dict) -> list[dict]:
    """Per set of levers and measure: the median over the rounds, and the median of its ratios to today's code in the
    same round."""
    runs, out = pd.DataFrame(record['rounds']), []
    for lever, g in runs.groupby('lever', sort=False):
        row = dict(levers=lever)
        for col, name in MEASURES.items():
            mine = g.set_index('round')[col].dropna()
            if mine.empty: continue
            today = runs[runs.lever == 'fp32 (today)'].set_index('round')[col].dropna()
            row[f'{name} rate'], row[name] = (float(mine.median()),
                                              round(float((mine / today.loc[mine.index]).median()), 2))
        out.append(row)
    return out

def table(record: dict) -> str:
    """The lever table of bench/RESULTS.md: each measure's median over the rounds and its median ratio to today's in
    the same round."""
    rows = [{'levers': r['levers'], **{f"{name} ({unit}/s)": f"{r[name + ' rate']:,.0f} (×{r[name]:.2f})"
                                       for name, unit in (('pretraining', 'tokens'), ('finetuning', 'pairs'),
                                                          ('decoding', 'sentences')) if name in r}}
            for r in ratios(record)]
    layouts = pd.DataFrame(record['layouts'])
    return (pd.DataFrame(rows).fillna('').to_markdown(index=False)
            + '\n\nworker layout, pretraining tokens/s of the machine:\n'
            + layouts.to_markdown(index=False, floatfmt=',.0f'))

if __name__ == '__main__': main()
