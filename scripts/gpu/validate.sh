#!/bin/sh
# One prepared GPU check (docs/distributed.md, "GPU validation"), under 10 minutes on one H200:
#   sh scripts/gpu/validate.sh            # SD3-Medium and SANA 1.6B sizes, random bf16 weights, on cuda
#   sh scripts/gpu/validate.sh --toy --device cpu   # the CPU smoke test (tiny configs)
# Needs python3 with torch (>= 1.13) and numpy; no diffusers, no network. Results: /tmp/sidc-gpu-validate/validate.json
cd "$(dirname "$0")/../.."
PY=${SIDC_PYTHON:-python3}
PYTHONPATH=runtime/torch exec timeout 580 "$PY" scripts/gpu/validate.py "$@"
