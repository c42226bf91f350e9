"""The Gaussian mixture behind the vector families (runtime/tfjs/nets/analytic-mixture.ts makeGmm/sampleGmm) and the
sample-quality metrics against it (runtime/scoring/mixture.ts), with the same PRNG draws."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .rng import Rng


@dataclass
class Gmm:
    dim: int
    classes: int
    modes_per_class: int
    mode_std: float
    radius: float
    seed: int
    symmetric: bool
    means: np.ndarray  # float32 [K*M, dim]; row k*M + j = mode j of class k


def make_gmm(dim=2, classes=4, modes_per_class=4, mode_std=0.1, radius=4.0, seed=0, symmetric=False) -> Gmm:
    rng = Rng(seed)
    n = classes * modes_per_class
    if symmetric and modes_per_class % 2:
        raise ValueError(f'a symmetric mixture needs an even number of modes per class, not {modes_per_class}')
    means = np.zeros((n, dim), dtype=np.float32)
    min_sep = max(6 * mode_std, (2 * radius) / math.pow(n, 1 / dim) * 0.6)

    def far_from_all(cand, placed):
        return all(sum((cand[i] - float(means[j, i])) ** 2 for i in range(dim)) >= min_sep * min_sep for j in range(placed))

    i, tries = 0, 0
    while i < n:
        cand = [(2 * rng.uniform() - 1) * radius for _ in range(dim)]
        group = [cand, [-v for v in cand]] if symmetric else [cand]
        apart = all(far_from_all(g, i) for g in group) and (not symmetric or 4 * sum(v * v for v in cand) >= min_sep * min_sep)
        if tries > 10000 or apart:
            for k, g in enumerate(group):
                means[i + k] = np.array(g, dtype=np.float32)
            i += len(group)
        tries += 1
    return Gmm(dim, classes, modes_per_class, mode_std, radius, seed, symmetric, means)


def sample_gmm(g: Gmm, classes, rng: Rng) -> np.ndarray:
    """x0 for the given classes (the null class draws from the marginal), float32 [n, dim]."""
    c = np.asarray(classes, dtype=np.int64).reshape(-1)
    # sampleGmm's draw order, one sample after another: [a class when c is null], the mode, then per element
    # normal() (u1, u2; its sine half unused). Every sample's uniforms are a fixed count: draw them all at once.
    null = c >= g.classes
    per = null + 1 + 2 * g.dim
    u = rng.uniforms(int(per.sum()))
    at = np.cumsum(per) - per  # each sample's first uniform
    c = np.where(null, np.floor(u[at] * g.classes).astype(np.int64), c)
    k = c * g.modes_per_class + np.floor(u[at + null] * g.modes_per_class).astype(np.int64)
    first = (at + null + 1)[:, None] + 2 * np.arange(g.dim)[None, :]
    normal = np.sqrt(-2 * np.log(u[first])) * np.cos(2 * math.pi * u[first + 1])
    return (g.means[k].astype(np.float64) + g.mode_std * normal).astype(np.float32)


def _mean_dist(a: np.ndarray, b: np.ndarray, same: bool) -> float:
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    s, cnt = 0.0, 0
    for i0 in range(0, len(a64), 512):  # blocks bound the memory of the pairwise matrix
        blk = a64[i0:i0 + 512]
        d = np.sqrt(((blk[:, None, :] - b64[None, :, :]) ** 2).sum(-1))
        if same:
            rows = np.arange(i0, i0 + len(blk))[:, None]
            d = np.where(np.arange(len(b64))[None, :] > rows, d, 0.0)
            cnt += int((np.arange(len(b64))[None, :] > rows).sum())
        else:
            cnt += d.size
        s += float(d.sum())
    return s / cnt if cnt else 0.0


def energy_distance(x, y) -> float:
    return 2 * _mean_dist(x, y, False) - _mean_dist(x, x, True) - _mean_dist(y, y, True)


def sliced_w1(x, y, rng: Rng, directions=64) -> float:
    nx, ny, d = len(x), len(y), x.shape[1]
    m = min(nx, ny)
    acc = 0.0
    q = np.arange(m)
    ix = np.floor(((q + 0.5) * nx) / m).astype(int)
    iy = np.floor(((q + 0.5) * ny) / m).astype(int)
    for _ in range(directions):
        dr = np.array([rng.normal() for _ in range(d)])
        dr = dr / math.hypot(*dr)
        px = np.sort(x.astype(np.float64) @ dr)
        py = np.sort(y.astype(np.float64) @ dr)
        acc += float(np.abs(px[ix] - py[iy]).sum()) / m
    return acc / directions


def mixture_metrics(g: Gmm, x: np.ndarray, c: np.ndarray, seed=12345) -> dict:
    """Per class, averaged: energy distance and sliced W1 against fresh draws of the class mixture (Rng(seed),
    drawn class by class as mixture.ts draws them); coverage and precision as creditSamples: each sample to the
    NEAREST component of its class by |x - mean| / std, credited within 3 std; a component is covered at >= 25%
    of its expected share."""
    M, n = g.modes_per_class, len(c)
    rng = Rng(seed)
    hits = np.zeros(g.classes * M)
    good, energy, sw, classes = 0, 0.0, 0.0, 0
    for cls in range(g.classes):
        idx = np.nonzero(c == cls)[0]
        if not len(idx):
            continue
        xs = x[idx]
        mu = g.means[cls * M:(cls + 1) * M].astype(np.float64)
        z = np.sqrt(((xs.astype(np.float64)[:, None, :] - mu[None]) ** 2).sum(-1)) / g.mode_std  # [n, M]
        near = z.argmin(1)  # the first of equal distances, as the strict < of creditSamples
        ok = z[np.arange(len(idx)), near] <= 3
        good += int(ok.sum())
        np.add.at(hits, cls * M + near[ok], 1)
        ys = sample_gmm(g, [cls] * len(idx), rng)
        energy += energy_distance(xs, ys)
        sw += sliced_w1(xs, ys, rng)
        classes += 1
        hits[cls * M:(cls + 1) * M] /= len(idx) * (1 / M)
    return {'energy': energy / classes, 'sliced_w1': sw / classes, 'coverage': float((hits >= 0.25).sum()) / len(hits), 'precision': good / n, 'n': n}
