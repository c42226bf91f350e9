#!/usr/bin/env python3
"""Recompute `sidc eval`'s FID and prompt alignment from the .npy files it writes, independently of sidc.

    node bin/sidc.js eval runs/mnist_sid-<hash8> --npy /tmp/npy
    python3 scripts/reference/fid_from_npy.py /tmp/npy [--classifier examples/eval/mnist-classifier.safetensors]

Reads the classifier's safetensors with numpy (no sidc code), runs its MLP (784 -> 512 -> 128 -> 10, ReLU,
torch Linear layout [out, in]) in float64, takes the 128-d penultimate features of every
<sampler>.npy and of real-heldout.npy, and computes
    FID = |mu1 - mu2|^2 + tr(S1 + S2 - 2 sqrtm(S1 S2))
with scipy.linalg.sqrtm (sidc uses a Jacobi eigendecomposition and the symmetric form instead), and
prompt alignment = accuracy of the classifier's argmax on the prompted digit (labels.npy).
Prints one line per sampler; needs numpy and scipy.
"""
import argparse
import json
import struct
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy import linalg

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64}


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in DTYPES:
            sys.exit(f"{path}: tensor {name} has dtype {info['dtype']}, this script reads {sorted(DTYPES)}")
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=DTYPES[info["dtype"]]).reshape(info["shape"]).astype(np.float64)
    return out


def features_and_logits(p, images):
    x = images.reshape(len(images), -1).astype(np.float64)
    h = np.maximum(x @ p["fc1.weight"].T + p["fc1.bias"], 0)
    f = np.maximum(h @ p["fc2.weight"].T + p["fc2.bias"], 0)
    return f, f @ p["head.weight"].T + p["head.bias"]


def fid(f1, f2):
    mu1, mu2 = f1.mean(0), f2.mean(0)
    s1, s2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    with warnings.catch_warnings():
        # ReLU features have dead dimensions, so the covariances are singular; sqrtm is still accurate here
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(s1 @ s2)
    covmean = covmean.real if np.iscomplexobj(covmean) else covmean
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("npy_dir")
    ap.add_argument("--classifier", default="examples/eval/mnist-classifier.safetensors")
    args = ap.parse_args()
    d = Path(args.npy_dir)
    if not (d / "real-heldout.npy").exists():
        sys.exit(f"{d}: no real-heldout.npy (written by `sidc eval RUN --npy {d}`)")
    p = read_safetensors(args.classifier)
    real_f, _ = features_and_logits(p, np.load(d / "real-heldout.npy"))
    labels = np.load(d / "labels.npy")
    for f in sorted(d.glob("*.npy")):
        if f.name.startswith("real-heldout") or f.name == "labels.npy":
            continue
        feats, logits = features_and_logits(p, np.load(f))
        align = float((logits.argmax(1) == labels).mean())
        print(json.dumps({"sampler": f.stem, "samples": len(feats), "fid": round(fid(feats, real_f), 2), "alignment": round(align, 3)}))


if __name__ == "__main__":
    main()
