#!/usr/bin/env bash
# Evaluates student files written by scripts/reference/sid_dit_torch.py with `sidc eval`, exactly as the
# runtime's own students are measured: each file is put in a copy of an existing image run directory
# (its graph.json and recipe say which teacher and classifier) and scored at 1 and 4 steps.
#   bash scripts/reference/eval-students.sh runs/mnist_sid-<hash8> /tmp/ref/student-*.safetensors
# Extra sidc eval options in SIDC_EVAL_ARGS (e.g. "--per-class 500"). Prints one line per file: file, then sidc eval's student rows.
set -euo pipefail
template=${1:?usage: eval-students.sh RUN_DIR STUDENT.safetensors...}
shift
[ -f "$template/graph.json" ] || { echo "eval-students.sh: $template is not a run directory (no graph.json)" >&2; exit 2; }
here=$(cd "$(dirname "$0")/../.." && pwd)
for f in "$@"; do
  d=$(mktemp -d)
  cp "$template/graph.json" "$template"/*.sid "$d/"
  cp "$f" "$d/student.safetensors"
  echo "== $f"
  # shellcheck disable=SC2086
  node "$here/bin/sidc.js" eval "$d" --student-only ${SIDC_EVAL_ARGS:-} | grep '^| student'
  rm -rf "$d"
done
