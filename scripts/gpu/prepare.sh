#!/bin/sh
# Writes scripts/gpu/prepared/: the execution graphs and `sidc plan` predictions validate.py needs, for
# ONE device (the GPU machine may have no Node). Rerun after a change to the recipes or the compiler:
#   sh scripts/gpu/prepare.sh
set -e
cd "$(dirname "$0")/../.."
out=scripts/gpu/prepared
mkdir -p "$out"
one() {  # name recipe per_device global-of-one-device (per_device x the recipe's accumulation rounds)
  node bin/sidc.js compile "$2" --set 'hardware.devices=1 x gpu(141 GB, 989 TFLOPS)' --set hardware.shard=none \
    --set batch.global="$3" --set batch.accumulate=1 -o "$out/$1.graph.json" 2>/dev/null
  # the plan of the recipe's own split (accumulation rounds) on one such device
  node bin/sidc.js plan "$2" --set 'hardware.devices=1 x gpu(141 GB, 989 TFLOPS)' --set hardware.shard=none \
    --set batch.global="$4" --format json 2>/dev/null > "$out/$1.plan.json"
}
one sd3_medium_bf16 recipes/sd3-medium-bf16.sid 4 32
one sana_1600m_512 recipes/sana-1600m-512.sid 16 32
echo "wrote $out"
