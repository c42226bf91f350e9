#!/usr/bin/env bash
# Table 1 in miniature (docs/science.md): scores the kept snapshots of every run of examples/table1-mnist.sid and
# the teacher's Euler sampler, then prints the table (mean ± sd over the training seeds).
#   node bin/sidc.js sweep-run examples/table1-mnist.sid --engine torch --parallel 2   # the runs (monitored)
#   bash scripts/science/table1.sh [RUNS_DIR] [PER_CLASS]                              # this: scores + table
# PER_CLASS samples per prompt (10 prompts; default 100 = 1,000 samples; the issue's 5,000 is PER_CLASS=500).
# TEACHER_STEPS (default 4,8,16,32): the teacher's Euler step counts; the table takes step counts missing at this
# sample count from the other sample counts scored before (their samples column says so).
# Every score is `sidc eval ... --engine torch --seed 1`; outputs land in RUNS_DIR/table1-scores/SAMPLES/ (SAMPLES = 10 x PER_CLASS),
# the samples of every cell in SAMPLES/npy/CELL/ (scripts/reference/fid_from_npy.py recomputes the FIDs from them).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-runs}
per_class=${2:-100}
teacher_steps=${TEACHER_STEPS:-4,8,16,32}
out="$runs/table1-scores/$((per_class * 10))"
mkdir -p "$out"
first=""
for r in "$runs"/table1_mnist-*/; do
  r=${r%/}
  [ -f "$r/student.safetensors" ] || { echo "skipping $r: not finished" >&2; continue; }
  first=${first:-$r}
  for snap in best-fid last; do
    f="$out/$(basename "$r")@$snap.md"
    npy="$out/npy/$(basename "$r")@$snap"
    [ -s "$f" ] && [ -d "$npy" ] ||
      node bin/sidc.js eval "$r@$snap" --engine torch --student-only --per-class "$per_class" --seed 1 --npy "$npy" > "$f"
  done
done
[ -n "$first" ] || { echo "no finished run of examples/table1-mnist.sid under $runs" >&2; exit 1; }
for cfg in 1.5 4.5; do
  f="$out/teacher-cfg$cfg-euler${teacher_steps//,/-}.md"
  npy="$out/npy/teacher-cfg$cfg-euler${teacher_steps//,/-}"
  [ -s "$f" ] && [ -d "$npy" ] || node bin/sidc.js eval "$first" --engine torch --student "$first/student.safetensors" --cfg "$cfg" \
    --teacher-steps "$teacher_steps" --student-steps 1 --per-class "$per_class" --seed 1 --npy "$npy" > "$f"
done
node scripts/science/table1-summary.mjs "$runs" "$((per_class * 10))"
