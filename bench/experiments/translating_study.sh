#!/usr/bin/env bash
# A design run as the cpu scale would run it (`sd-reproduce --scale cpu`), from an empty inductor cache as on a new
# machine, into folders of its own: the committed cpu results stay as they are. specs/cpu.yaml is swapped for the design
# while it runs and put back after, so run it in a clone of its own (the package reads specs/cpu.yaml when imported).
#     bash bench/experiments/translating_study.sh [spec] [name] [work folder]
#         -> bench/results/<name>.{log,csv}, <name>/
# Defaults: specs/cpu.yaml (the main job), translating_study. Another draw of it: bench/specs/cpu-reseeded.yaml.
# Answered in bench/RESULTS.md, "The main job where the models translate: a design, run once" (its tables:
# bench/tables/translating_table.py), and the draw in "The main job: `make study` from a fresh clone, and drawn again".
set -euo pipefail
cd "$(dirname "$0")/../.."
spec=${1:-specs/cpu.yaml}; name=${2:-translating_study}; work=${3:-/tmp/sd-$name}
rm -rf "$work"; mkdir -p "$work/inductor"
cp specs/cpu.yaml "$work/cpu.yaml.committed"
trap 'cp "$work/cpu.yaml.committed" specs/cpu.yaml' EXIT
[ "$spec" -ef specs/cpu.yaml ] || cp "$spec" specs/cpu.yaml
lscpu | grep -m1 'Model name'
TORCHINDUCTOR_CACHE_DIR="$work/inductor" /usr/bin/time -f 'study wall %e s' .venv/bin/sd-reproduce --scale cpu --pairs en-fr \
    --runs "$work/runs" --results "$work/results" --out "$work/out" --quiet 2>&1 | tee "bench/results/$name.log"
cp "$work/results/cpu/en-fr.csv" "bench/results/$name.csv"
mkdir -p "bench/results/$name"
cp "$work/results/cpu/en-fr/paired.csv" "$work/out/cpu/findings.csv" "bench/results/$name/" 2>/dev/null || true
