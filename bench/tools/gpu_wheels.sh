#!/usr/bin/env bash
# The Python packages the study needs that the GPU machine's image lacks, as wheels in .whl/ (ignored by git; name
# it in the device call's `carry`, and bench/tools/gpu_study.sh installs them there). Pure-Python wheels only, pinned to
# the versions this project's CI installs. Run here, where PyPI is reachable:  bash bench/tools/gpu_wheels.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .whl
for pkg in fastcore rouge-score nltk; do
  version=$(.venv/bin/python -m pip show "$pkg" | awk '/^Version:/ {print $2}')
  .venv/bin/python -m pip wheel -q --no-deps -w .whl "$pkg==$version"   # rouge-score has no wheel on PyPI: built here
done
ls -la .whl
