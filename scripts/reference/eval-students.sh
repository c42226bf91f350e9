#!/usr/bin/env bash
# Scores student files written by scripts/reference/sid_dit_torch.py with `sidc eval --student`, exactly as
# the runtime's own students are measured: RUN_DIR (any image run of the same teacher) says which teacher,
# captions and generator steps; the default 500 samples, seed 1, 1 and 4 steps.
#   bash scripts/reference/eval-students.sh runs/mnist_sid-<hash8> /tmp/ref/student-*.safetensors
# Extra sidc eval options in SIDC_EVAL_ARGS (e.g. "--per-class 500"). Prints each file, then its student rows.
set -euo pipefail
run=${1:?usage: eval-students.sh RUN_DIR STUDENT.safetensors...}
shift
here=$(cd "$(dirname "$0")/../.." && pwd)
for f in "$@"; do
  echo "== $f"
  # shellcheck disable=SC2086  # SIDC_EVAL_ARGS is a list of options
  node "$here/bin/sidc.js" eval "$run" --student-only --student "$f" ${SIDC_EVAL_ARGS:-} | grep '^| student'
done
