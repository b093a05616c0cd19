#!/usr/bin/env bash
# The gpu-scale study in one prepared device run: the throughput comparison, then the study until a time limit, its
# results packed under $OUT (bench/RESULTS.md, "GPU"). On the device machine, from the repository's root, one call
# (throughput, ~2 min, then the study until TIME_LIMIT), and a second one on the still-warm machine, which goes on
# where the first stopped:
#   OUT=$OUT bash bench/tools/gpu_study.sh
#   OUT=$OUT THROUGHPUT=0 bash bench/tools/gpu_study.sh
# The rehearsal on a CPU, the same script at smoke size (bench/RESULTS.md shows its output):
#   OUT=/tmp/gpu_out RUNS=/tmp/gpu_runs RESULTS=/tmp/gpu_results SCALE=smoke PRESETS=smoke STEPS=5 WORKERS=2 \
#       bash bench/tools/gpu_study.sh
# Missing Python packages travel as wheels in .whl/ (bench/tools/gpu_wheels.sh fetches them here). What comes back (at
# most 8 files): throughput.csv and its log, study.log, results.tar.gz (results/<scale>/*.csv, every job's record, the
# pretraining logs and checkpoint records; no weights). The figures are drawn here: make figures SCALE=gpu.
set -uo pipefail
cd "$(dirname "$0")/../.."
: "${OUT:?set OUT to the folder whose files come back}"
SCALE=${SCALE:-gpu}; TIME_LIMIT=${TIME_LIMIT:-480}; WORKERS=${WORKERS:-8}; PRESETS=${PRESETS:-gpu-small base}
STEPS=${STEPS:-40}; THROUGHPUT=${THROUGHPUT:-1}; PY=${PY:-python3}; RUNS=$(realpath -m "${RUNS:-runs}"); RESULTS=$(realpath -m "${RESULTS:-results}")
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
if compgen -G '.whl/*.whl' >/dev/null; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=$PYTHONPATH:/tmp/site
fi
start=$(date +%s)
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>/dev/null || echo "no GPU: $(uname -m)"; $PY -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)'; } | tee "$OUT/study.log"
if [ "$THROUGHPUT" = 1 ]; then
  timeout 240 $PY bench/timing/gpu_throughput.py --presets $PRESETS --steps $STEPS --out "$OUT" 2>&1 \
    | tee "$OUT/throughput.log"
fi
left=$(( TIME_LIMIT - ($(date +%s) - start) ))
$PY bench/tools/gpu_sweep.py --scale "$SCALE" --workers "$WORKERS" --time_limit "$left" --runs "$RUNS" \
    --results "$RESULTS" 2>&1 | tee -a "$OUT/study.log"
status=${PIPESTATUS[0]}
mkdir -p "$RESULTS/$SCALE"
records=$(cd "$(dirname "$RUNS")" && ls -d $(basename "$RUNS")/$SCALE/*/{metrics.json,done.json,error.txt,history.jsonl,spec.json} \
          $(basename "$RUNS")/$SCALE/*/run/log.csv $(basename "$RUNS")/$SCALE/*/run/checkpoints/*/checkpoint.json 2>/dev/null)
tar czf "$OUT/results.tar.gz" -C "$(dirname "$RUNS")" $records -C "$(dirname "$RESULTS")" "$(basename "$RESULTS")/$SCALE"
echo "sweep exit status $status (3: jobs left, call again); packed $(echo $records | wc -w) records in results.tar.gz" | tee -a "$OUT/study.log"
exit $status
