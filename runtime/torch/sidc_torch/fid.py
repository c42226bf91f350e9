"""Frechet distance between Gaussians fitted to two feature sets, as runtime/scoring/fid.ts computes it
(Heusel et al. 2017): FID = |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2). The cross term uses the
symmetric form, whose trace equals tr((S1 S2)^1/2) but which stays symmetric PSD, so a float64 symmetric
eigendecomposition gives both square roots (numpy's eigh: no scipy at run time)."""
from __future__ import annotations

import numpy as np


def fit_gaussian(rows: np.ndarray):
    """Mean and unbiased (n - 1) covariance of feature rows [n, d], in float64."""
    x = np.asarray(rows, dtype=np.float64)
    if len(x) < 2:
        raise ValueError(f'FID needs at least 2 feature vectors, got {len(x)}')
    mean = x.mean(0)
    c = x - mean
    return mean, (c.T @ c) / (len(x) - 1)


def sqrt_psd(a: np.ndarray) -> np.ndarray:
    """V diag(sqrt(max(w, 0))) V^T: tiny negative eigenvalues from rounding are clipped to 0 (fid.ts does too)."""
    w, v = np.linalg.eigh(a)
    return (v * np.sqrt(np.maximum(w, 0))) @ v.T


def frechet_distance(a, b) -> float:
    (m1, s1), (m2, s2) = a, b
    h = sqrt_psd(s1)
    m = h @ s2 @ h
    cross = sqrt_psd(0.5 * (m + m.T))
    return max(0.0, float(((m1 - m2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(cross)))


def fid(rows_a: np.ndarray, rows_b: np.ndarray) -> float:
    return frechet_distance(fit_gaussian(rows_a), fit_gaussian(rows_b))
