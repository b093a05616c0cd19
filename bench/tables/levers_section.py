"""The section "The training step at the machine's limit" of bench/RESULTS.md, written from the committed records of
bench/timing/step_profile.py, bench/timing/speed_levers.py, bench/experiments/lever_quality.py and
bench/plans/long_plan.py into its template bench/tables/levers_section.md, so that every number in its prose comes from
a measurement. Usage: python bench/tables/levers_section.py > /tmp/section.md"""
import contextlib, io, json, re, sys, textwrap
from pathlib import Path
import pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: common.py, which adds every bench/<kind>/
from common import ROOT
import lever_quality, speed_levers, step_profile  # bench/experiments/, bench/timing/

R = ROOT/'bench/results'
load = lambda name: json.loads((R/name).read_text())

def span(values, fmt='{:.0%}', sep='–') -> str:
    "'67–70%' for a range of values, one value where they round alike."
    lo, hi = fmt.format(min(values)), fmt.format(max(values))
    return lo if lo == hi else lo.rstrip('%') + sep + hi if lo.endswith('%') else lo + sep + hi

def profile_facts(prof: dict) -> dict:
    "The profile's numbers the prose quotes."
    runs = {(r['stage'], r['levers']): r for r in prof['runs']}
    fp32 = [runs[(st, 'fp32')] for st in ('pretraining', 'finetuning')]
    fast = [runs[(st, 'bf16+compile')] for st in ('pretraining', 'finetuning')]
    prods = lambda r, kind: r['bare_gflops'] / r['op_shares']['matrix products'] / prof['matmul_gflops'][kind]
    around = lambda r: sum(r['pipeline'][k] for k in ('data', 'clip', 'optimiser', 'loop (schedule, logs, checkpoints)'))
    batches = prof['finetune_batches']
    return dict(
        prods_share=span([r['op_shares']['matrix products'] for r in fp32]),
        other_share=span([r['op_shares']['other operators'] for r in fp32]),
        outside_share=span([r['op_shares']['outside operators (Python, dispatch)'] for r in fp32]),
        around_share=span([around(r) / r['pipeline']['wall'] for r in fp32]),
        fp32_prods=span([prods(r, 'fp32') for r in fp32]), bf16_prods=span([prods(r, 'bf16') for r in fast]),
        compiled_share=span([r['op_shares']['compiled kernels'] for r in fast]),
        fast_of_fp32=span([f['bare_s'] / s['bare_s'] for f, s in zip(fast, fp32)]),
        pt_of_bare=f"{fp32[0]['pipeline_of_bare']:.2f}", ft_of_bare=f"{fp32[1]['pipeline_of_bare']:.2f}",
        pt_fast_of_bare=f"{fast[0]['pipeline_of_bare']:.2f}", ft_fast_of_bare=f"{fast[1]['pipeline_of_bare']:.2f}",
        optimiser_ms=span([1000 * r['pipeline']['optimiser'] for r in fp32 + fast], '{:.0f}'),
        step_ms=span([1000 * r['pipeline']['wall'] for r in fp32 + fast], '{:.0f}'),
        optimiser_most=f"{max(r['pipeline']['optimiser'] / r['pipeline']['wall'] for r in fp32 + fast):.0%}",
        save_200=f"{200 * min(s['pipeline']['wall'] - f['pipeline']['wall'] for f, s in zip(fast, fp32)):.0f}",
        cached_compile=f"{max(sum(r['compiling_steps_s']) for r in fast):.0f}",
        mm_ratio=f"{prof['matmul_gflops']['bf16'] / prof['matmul_gflops']['fp32']:.1f}",
        fp32_rate=f"{prof['matmul_gflops']['fp32']:.0f}", bf16_rate=f"{prof['matmul_gflops']['bf16']:.0f}",
        padding=f"{batches['padding_share']:.0%}", padding_sorted=f"{batches['padding_share_sorted_whole']:.0%}")

def profile_block(prof: dict) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf): step_profile.print_tables(prof)
    b = prof['finetune_batches']
    return (f"```\n{prof['machine']}, {prof['threads']} thread(s), torch {prof['torch']}, {prof['date']}\n"
            f"matrix product 2048 x 2048: fp32 {prof['matmul_gflops']['fp32']:.0f} GFLOP/s, "
            f"bf16 {prof['matmul_gflops']['bf16']:.0f} GFLOP/s\n"
            f"finetuning batches: padding {b['padding_share']:.1%} of their tokens as batched, "
            f"{b['padding_share_sorted_whole']:.1%} if sorted over the whole set\n```\n\n" + buf.getvalue().strip())

def lever_facts(lev: dict, hl: dict) -> dict:
    "The lever tables' numbers the prose quotes: median ratios to today's code in the same round."
    r, h = ({row['levers']: row for row in speed_levers.ratios(x)} for x in (lev, hl))
    x = lambda v: f"×{v:.2f}"
    lay = lambda rec: {(l['levers'], l['processes']): l['tokens_per_s'] for l in rec['layouts']}
    layouts = [lay(rec) for rec in (lev, hl)]
    rounds = pd.DataFrame(lev['rounds']).dropna(subset=['finetune_pairs_per_s']).pivot(
        index='round', columns='lever', values='finetune_pairs_per_s')
    fc = rounds['fp32+compile'] / rounds['fp32 (today)']
    return dict(
        hl_pt=x(h['bf16+compile']['pretraining']), hl_ft=x(h['bf16+compile']['finetuning']),
        lev_pt=x(r['bf16+compile']['pretraining']), lev_ft=x(r['bf16+compile']['finetuning']),
        hl_rounds=hl_n_rounds(hl), hl_steps=hl['steps'], lev_rounds=hl_n_rounds(lev), lev_steps=lev['steps'],
        hl_layout=x(layouts[1][('bf16+compile', 2)] / layouts[1][('fp32', 2)]),
        bf16_pt=x(r['bf16']['pretraining']), bf16_ft=x(r['bf16']['finetuning']),
        fc_pt=x(r['fp32+compile']['pretraining']), fc_ft=x(r['fp32+compile']['finetuning']),
        adamw=span([r[k][m] for k in ('fp32, AdamW foreach', 'fp32, AdamW fused')
                    for m in ('pretraining', 'finetuning')], '×{:.2f}', ' to '),
        fused_fast=x(r['bf16+compile, AdamW fused']['pretraining'] / r['bf16+compile']['pretraining']),
        onednn=f"{x(r['fp32, oneDNN bf16 products']['pretraining'])} and "
               f"{x(r['fp32, oneDNN bf16 products']['finetuning'])}",
        decode=f"{x(r['bf16']['decoding'])} and {x(h['bf16']['decoding'])}",
        layout=span([l[(lv, 2)] / l[(lv, 1)] for l in layouts for lv in ('fp32', 'bf16+compile')], '{:.2f}'),
        fc_first=f"{rounds['fp32+compile'].iloc[0]:.0f}", fc_later=' and '.join(x(v) for v in fc.iloc[1:]))

def hl_n_rounds(record: dict) -> int: return len({r['round'] for r in record['rounds']})

def quality_facts() -> dict:
    "The quality runs' numbers the prose quotes."
    from scipy.stats import ttest_rel
    runs = pd.DataFrame([json.loads(l) for l in lever_quality.RESULTS.read_text().splitlines()])
    ft = runs[runs.kind == 'finetune'].pivot(index='seed', columns='levers')
    pt = runs[runs.kind == 'pretrain'].pivot(index='seed', columns='levers')
    today, fast = 'fp32', 'bf16+compile'
    curve800 = ft['curve'].map(lambda c: c['800'])
    ce_diffs = [abs((pt['span_ce'][fast].map(lambda c: c[str(d)]) - pt['span_ce'][today].map(lambda c: c[str(d)])).mean())
                / pt['span_ce'][today].map(lambda c: c[str(d)]).std() for d in lever_quality.MILESTONES]
    ce_diffs += [abs((ft[k][fast] - ft[k][today]).mean()) / ft[k][today].std() for k in ('ce', 'valid_ce')]
    secs = ft['seconds'][fast].sort_values()
    return dict(
        bleu_diff=f"{(ft['bleu'][fast] - ft['bleu'][today]).mean():+.2f}", bleu_sd_today=f"{ft['bleu'][today].std():.2f}",
        bleu_of_today=f"{(ft['bleu'][fast] - ft['bleu'][today]).mean() / ft['bleu'][today].std():.1f}",
        bleu_pooled_sd=f"{(ft['bleu'].std() ** 2).mean() ** 0.5:.2f}",
        bleu_of_pooled=f"{(ft['bleu'][fast] - ft['bleu'][today]).mean() / (ft['bleu'].std() ** 2).mean() ** 0.5:.1f}",
        bleu_p=f"{ttest_rel(ft['bleu'][fast], ft['bleu'][today]).pvalue:.2f}",
        bleu_today_range=span(ft['bleu'][today], '{:.2f}'), bleu_fast_range=span(ft['bleu'][fast], '{:.2f}'),
        bleu_sd_fast=f"{ft['bleu'][fast].std():.2f}", bleu_ci=span(ft['bleu_ci'].stack(), '±{:.1f}', ' to '),
        ce_most=f"{max(ce_diffs):.2f}",
        valid_diff=f"{-(curve800[fast] - curve800[today]).mean():.3f}",
        valid_p=f"{ttest_rel(curve800[fast], curve800[today]).pvalue:.2f}",
        valid_sd=f"{curve800[today].std():.3f}",
        valid_all=bool((curve800[fast] < curve800[today]).all()),
        test_diff=f"{abs((ft['ce'][fast] - ft['ce'][today]).mean()):.3f}",
        test_p=f"{ttest_rel(ft['ce'][fast], ft['ce'][today]).pvalue:.2f}",
        first_ft=f"{secs.iloc[-1]:.0f}", next_ft=' and '.join(f"{v:.0f}" for v in secs.iloc[:-1]))

def plans_block() -> str:
    "Each committed plan of bench/plans/long_plan.py as a table, and the prose of the plans."
    plans, P = [], {}
    for scale in ('cpu', 'cpu-long'):
        for f in sorted(R.glob(f'plan_{scale}_*.json')):
            p = P[f.stem.removeprefix('plan_')] = json.loads(f.read_text())
            t = pd.DataFrame(p['stages'], columns=['stage (worker time; the last line wall time)', 'seconds'])
            t['minutes'] = (t.seconds / 60).round(1)
            plans.append(f"`{f.name}` ({p['scale']}, {p['levers']}"
                         f"{', from an empty inductor cache' if p.get('cold_cache') else ''}; {p['date']}):\n\n"
                         + t.round(0).to_markdown(index=False))
    new, old, long = P['cpu_bf16+compile'], P['cpu_fp32'], P['cpu-long_bf16+compile']
    measured = dict(load('study_cpu.json')['stages'])['the study command (/usr/bin/time), setup excluded']
    prose = (f"`bench/plans/long_plan.py` prices any built-in scale (`--scale`) from rates measured here, two "
             f"one-thread workers side by side, with the levers the study's jobs get (`SD_LEVERS=fp32`: today's), each "
             f"finetune at the steps the committed run of that scale took, and each worker's first steps of each kind, "
             f"which compile (`--cold`: from an empty inductor cache, as on a new machine). On this machine the cpu "
             f"study (`make "
             f"study`, setup and notebooks aside) prices at {old['wall_s'] / 60:.0f} minutes in fp32 and "
             f"{new['wall_s'] / 60:.0f} with bf16 and compile, {new['warm_up_s'] / 60:.0f} of them compiling; the "
             f"committed run took {measured / 60:.1f} minutes on the Xeon (`bench/results/study_cpu.json`). The long "
             f"study prices at {long['wall_s'] / 60:.0f} minutes with the levers. The sweep's own estimate learns its "
             f"rates from the jobs done (`estimate_left`), so it follows the levers with no constant to change; while "
             f"the first jobs, which compile, are all it has seen, it leans high.")
    return prose + '\n\n' + '\n\n'.join(plans)

TEMPLATE = (Path(__file__).resolve().parent/'levers_section.md').read_text  # bench/tables/levers_section.md

def rewrap(text: str, width: int = 120) -> str:
    "Wrap the prose paragraphs and list items to `width` once the numbers are in; tables and code as they are."
    blocks, fenced = [], False
    for block in text.split('\n\n'):
        if block.count('```') % 2: fenced = not fenced
        if fenced or '```' in block or block.lstrip().startswith(('|', '#')): blocks.append(block); continue
        items = re.split(r'\n(?=- )', block)
        blocks.append('\n'.join(textwrap.fill(' '.join(i.split()), width, subsequent_indent='  ' if i.startswith('- ')
                                               else '', break_on_hyphens=False) for i in items))
    return '\n\n'.join(blocks)

def main():
    prof, lev, hl = load('step_profile.json'), load('speed_levers.json'), load('speed_levers_headline.json')
    facts = dict(**profile_facts(prof), **lever_facts(lev, hl), **quality_facts(), machine=prof['machine'])
    print(rewrap(TEMPLATE().format(profile=profile_block(prof), levers=speed_levers.table(lev), headline=speed_levers.table(hl),
                            quality=lever_quality.table(), plans=plans_block(), **facts)))

if __name__ == '__main__': main()
