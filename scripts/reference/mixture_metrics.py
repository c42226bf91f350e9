#!/usr/bin/env python3
"""Independent numpy computation of sidc's mixture metrics (runtime/scoring/mixture.ts), from the files
sidc writes: the truth (`sidc export-mixture RUN -o truth.json`) and samples with their classes
(`sidc sample RUN -o x.npy` writes x.npy [n, dim] and x.labels.npy [n]).

usage: mixture_metrics.py TRUTH.json X.npy LABELS.npy      -> {"precision", "coverage", "credited": [...]}
       mixture_metrics.py --energy X.npy Y.npy             -> {"energy"}: 2E|X-Y| - E|X-X'| - E|Y-Y'| (U-statistics)
Prints one JSON object.
"""
import json, sys
import numpy as np


def credit(truth, x, labels):
    """Each sample to the nearest component of its class by |x - mean| / std; credited if within credit_std."""
    comps = truth['components']
    k = truth.get('metrics', {}).get('credit_std', 3.0)
    share_min = truth.get('metrics', {}).get('coverage_share', 0.25)
    means = np.array([c['mean'] for c in comps], dtype=np.float64)
    stds = np.array([c['std'] for c in comps], dtype=np.float64)
    cls = np.array([c['class'] for c in comps])
    weights = np.array([c['weight'] for c in comps], dtype=np.float64)
    x = x.astype(np.float64)
    z = np.sqrt(((x[:, None, :] - means[None, :, :]) ** 2).sum(-1)) / stds[None, :]  # [n, components]
    z[cls[None, :] != labels[:, None]] = np.inf  # only the sample's own class
    best = z.argmin(1)
    ok = z[np.arange(len(x)), best] <= k
    credited = np.where(ok, best, -1)
    hits = np.bincount(credited[ok], minlength=len(comps)).astype(np.float64)
    per_class = np.array([(labels == c).sum() for c in cls], dtype=np.float64)
    share = np.where(per_class > 0, hits / np.maximum(per_class * weights, 1e-300), 0.0)
    return {'precision': float(ok.mean()), 'coverage': float((share >= share_min).mean()), 'credited': credited.tolist()}


def energy(x, y):
    x = x.astype(np.float64).reshape(len(x), -1)
    y = y.astype(np.float64).reshape(len(y), -1)
    d = lambda a, b: np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    n, m = len(x), len(y)
    xx = d(x, x).sum() / (n * (n - 1))
    yy = d(y, y).sum() / (m * (m - 1))
    return {'energy': float(2 * d(x, y).mean() - xx - yy)}


if __name__ == '__main__':
    if sys.argv[1] == '--energy':
        print(json.dumps(energy(np.load(sys.argv[2]), np.load(sys.argv[3]))))
    else:
        truth = json.load(open(sys.argv[1]))
        print(json.dumps(credit(truth, np.load(sys.argv[2]), np.load(sys.argv[3]))))
