"""Training and decoding throughput on one GPU: this package's steps against a plain Hugging Face loop.

    python bench/timing/gpu_throughput.py [--presets gpu-small base] [--steps 40] [--out DIR]

For each preset, in one process, on the same card:

1. **plain HF**: `T5ForConditionalGeneration` of the preset, fused AdamW, bf16 autocast, `torch.compile`, random token
   batches of the pretraining shape (batch 128 x 128 input tokens, 29 target tokens): the loop the package's step is
   measured against, with no data pipeline at all.
2. **ours, pretraining**: `pretrain` on the embedded corpus (en50-fr50: span corruption on the fly, a prefetching
   thread, accelerate, bf16, compile), the same shape; the steady-state tokens/s and MFU of its `log.csv`.
3. **ours, finetuning**: `finetune` from scratch on en-fr at the cpu study's length filter (48 tokens a side, batch 64),
   `--steps` steps with no validation in between; wall time per step after the first tenth.
4. **greedy decoding**: `evaluate.translate` of 400 test sources, batch 64; sentences/s.

MFU is model FLOPs (`model.train_flops`: every matrix product, forward and backward) over the card's bf16 peak
(`pretrain.PEAK_BF16_FLOPS`). On a CPU (`--presets cpu --steps 5`) it rehearses the same code: the plain loop eager in
fp32, ours with the levers `choose_levers` picks there; MFU is not defined. Writes `throughput.csv` to `--out`.
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd, torch
from scaling_downstream.machine import default_device
from scaling_downstream.tokenizer import load_tokenizer
from scaling_downstream.model import model_config, parameter_counts, train_flops
from scaling_downstream.pretrain import PretrainConfig, peak_flops, pretrain
from scaling_downstream.finetune import FinetuneConfig, finetune
from scaling_downstream.evaluate import translate
from scaling_downstream.userdata import task_pairs

BATCH, INPUT, TARGET, TEXT = 128, 128, 29, 141  # the pretraining shape: 141 text tokens make 128 inputs and 29 targets

def plain_hf(preset: str, steps: int, vocab: int, device) -> dict:
    "Tokens/s and MFU of a bare training loop: random batches, fused AdamW, bf16 autocast and compile on a GPU."
    from transformers import T5ForConditionalGeneration
    cuda = device.type == 'cuda'
    model = T5ForConditionalGeneration(model_config(preset, vocab_size=vocab)).to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=cuda)
    step_fn = torch.compile(model) if cuda else model
    x = torch.randint(2, vocab, (BATCH, INPUT), device=device); y = torch.randint(2, vocab, (BATCH, TARGET), device=device)
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda): loss = step_fn(input_ids=x, labels=y).loss
        loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step(); opt.zero_grad(set_to_none=True)
        if cuda: torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    per_step = float(np.median(times[max(1, steps // 4):]))  # after compilation and warm-up
    return dict(tokens_per_s=BATCH * TEXT / per_step, mfu=_mfu(preset, vocab, per_step, device))

def ours_pretrain(preset: str, steps: int, device, out: Path) -> dict:
    "Steady-state tokens/s and MFU from the log of a real pretraining run of `steps` steps."
    config = PretrainConfig('en50-fr50', milestones=[steps * BATCH * TEXT], preset=preset, batch_size=BATCH, input_length=INPUT,
                            save_every=10**9)
    pretrain(config, out/f'pretrain-{preset}', progress=False, log_every=max(1, steps // 10))
    log = pd.read_csv(out/f'pretrain-{preset}'/'log.csv')
    steady = log.iloc[len(log) // 3:]
    return dict(tokens_per_s=float(steady.tokens_per_s.median()), mfu=float(steady.mfu.median()))

def ours_finetune(preset: str, steps: int) -> dict:
    "Seconds per finetuning step (batch 64, 48 tokens a side), from scratch, validation only at the end."
    config = FinetuneConfig(pair='en-fr', d_f=1_000_000, preset=preset, batch_size=64, max_tokens=48, max_steps=steps,
                            eval_every=steps, patience=1, valid_pairs=64, tokenizer='tokenizer-2k')
    model, record = finetune(config, progress=False)  # its record's seconds: the training loop, without loading the data
    return dict(finetune_s_per_step=record['seconds'] / max(1, record['steps']), model=model)

def decoding(model, n: int=400) -> dict:
    "Greedy-decoding sentences/s of `model` on the first `n` en-fr test sources."
    tok = load_tokenizer('tokenizer-2k')
    sources = task_pairs('en-fr', 'test').src.head(n).tolist()
    translate(model, tok, sources[:64])  # warm-up
    t0 = time.perf_counter(); translate(model, tok, sources, batch_size=64); seconds = time.perf_counter() - t0
    return dict(decode_sentences_per_s=len(sources) / seconds)

def _mfu(preset, vocab, seconds_per_step, device) -> float:
    peak = peak_flops(device)
    return train_flops(preset, INPUT, TARGET, vocab_size=vocab) * BATCH / seconds_per_step / peak if peak else float('nan')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--presets', nargs='+', default=['gpu-small', 'base'])
    ap.add_argument('--steps', type=int, default=40)
    ap.add_argument('--out', default='.')
    args = ap.parse_args()
    device, vocab = default_device(), len(load_tokenizer())
    name = torch.cuda.get_device_name(device) if device.type == 'cuda' else 'cpu'
    print(f"{name}, torch {torch.__version__}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for preset in args.presets:
            hf, ours = plain_hf(preset, args.steps, vocab, device), ours_pretrain(preset, args.steps, device, Path(tmp))
            ft = ours_finetune(preset, args.steps)
            row = dict(device=name, preset=preset, parameters=parameter_counts(preset, vocab_size=vocab)['total'],
                       hf_tokens_per_s=hf['tokens_per_s'], hf_mfu=hf['mfu'], ours_tokens_per_s=ours['tokens_per_s'], ours_mfu=ours['mfu'],
                       finetune_s_per_step=ft['finetune_s_per_step'], **decoding(ft['model']))
            rows.append(row); print(row, flush=True)
    out = Path(args.out)/'throughput.csv'
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(out, index=False, float_format='%.4g')
    print(f"wrote {out}")
