#!/usr/bin/env bash
# Does the cpu scale's large-D_f baseline (a new model, no pretraining) translate on en-fr's own test set, and how wide
# are its intervals there? Finetuned for 400 and for 800 steps of 128 pairs (the two side by side, one thread each),
# each scored on every short pair of `pair-test` and of the multi-way `test`. Answered in bench/RESULTS.md, "Each
# pair's own test set"; its table: bench/tables/pair_test_table.py (run at the end).
#     bash bench/experiments/pair_test_recipe.sh [work folder]
#         -> bench/results/pair_test_recipe/ft-<steps>-<split>.json
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-/tmp/sd-pair-test-recipe}
results=bench/results/pair_test_recipe
mkdir -p "$results"
recipe=(--pair en-fr --d_f 1400000 --batch_size 128 --lr 0.003 --warmup_steps 100 --decay --label_smoothing 0.1
        --max_tokens 48 --tokenizer tokenizer-2k --eval_every 100 --patience 3 --valid_pairs 200 --quiet)
lscpu | grep -m1 'Model name'
side_by_side() { local pids=(); for cmd in "$@"; do bash -c "$cmd" & pids+=($!); done; for p in "${pids[@]}"; do wait "$p"; done; }
side_by_side "OMP_NUM_THREADS=1 .venv/bin/sd-finetune $work/ft-400 ${recipe[*]} --max_steps 400" \
             "OMP_NUM_THREADS=1 .venv/bin/sd-finetune $work/ft-800 ${recipe[*]} --max_steps 800"
for steps in 400 800; do
    side_by_side "OMP_NUM_THREADS=1 .venv/bin/sd-evaluate $work/ft-$steps --split pair-test --out $results/ft-$steps-pair-test.json" \
                 "OMP_NUM_THREADS=1 .venv/bin/sd-evaluate $work/ft-$steps --split test --out $results/ft-$steps-test.json"
done
rm -f "$results"/*.tsv  # the translations (2 MB) are not kept; the records are
.venv/bin/python bench/tables/pair_test_table.py
