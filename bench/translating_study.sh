#!/usr/bin/env bash
# The design of bench/specs/cpu-translating.yaml run as the cpu scale would run it (`sd-reproduce --scale cpu`), from
# an empty inductor cache as on a new machine, into folders of its own: the committed cpu results stay as they are.
# specs/cpu.yaml is swapped for the design while it runs and put back after.
#     bash bench/translating_study.sh [work folder]    -> bench/results/translating_study.{log,csv}, its time by stage
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/sd-translating}
rm -rf "$work"; mkdir -p "$work/inductor"
cp specs/cpu.yaml "$work/cpu.yaml.committed"
trap 'cp "$work/cpu.yaml.committed" specs/cpu.yaml' EXIT
cp bench/specs/cpu-translating.yaml specs/cpu.yaml
lscpu | grep -m1 'Model name'
TORCHINDUCTOR_CACHE_DIR="$work/inductor" /usr/bin/time -f 'study wall %e s' .venv/bin/sd-reproduce --scale cpu --pairs en-fr \
    --runs "$work/runs" --results "$work/results" --out "$work/out" --quiet
cp "$work/results/cpu/en-fr.csv" bench/results/translating_study.csv
mkdir -p bench/results/translating_study
cp "$work/results/cpu/en-fr/paired.csv" "$work/out/cpu/findings.csv" bench/results/translating_study/ 2>/dev/null || true
