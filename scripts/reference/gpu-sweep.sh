#!/usr/bin/env bash
# The reference SiD-DiT (sid_dit_torch.py) on the shipped MNIST teacher at batch sizes and lengths a 2-core
# machine cannot reach: every run of a sweep file (sweeps/*.txt: a name and the script's options per line)
# side by side on one GPU, each stopped after SECONDS_EACH (default 290) and saved at its --save-at points
# and its end (F16 students, one tar per run in OUT).
#   OUT=/tmp/sweep SECONDS_EACH=290 [PYTHON=python3] bash scripts/reference/gpu-sweep.sh scripts/reference/sweeps/batch-lr.txt
#   then: bash scripts/reference/eval-students.sh runs/mnist_sid-<hash8> <students>
set -uo pipefail
sweep=${1:?usage: gpu-sweep.sh SWEEP_FILE}
out=${OUT:?set OUT}
secs=${SECONDS_EACH:-290}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
while read -r name opts; do
  case "$name" in ''|'#'*) continue ;; esac
  # shellcheck disable=SC2086  # opts is a list of options
  "${PYTHON:-python3}" "$here/sid_dit_torch.py" --out "$work/$name" --images 100000000 --max-seconds "$secs" \
    --dtype F16 --threads 2 --log-every 50 $opts > "$work/$name.out" 2>&1 &
done < "$sweep"
wait
for f in "$work"/*.out; do
  n=$(basename "$f" .out)
  echo "== $n"; cat "$f"
  cp "$f" "$work/$n/stdout.txt"
  tar -C "$work" -cf "$out/$n.tar" "$n"
done
