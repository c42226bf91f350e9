"""Evaluation during training (docs/algorithm.md §10), the torch side of the contract in docs/runtime.md
"Monitor" that runtime/tfjs/loop/monitor.ts implements for the tfjs engine: a training stage whose attrs
carry `monitor` scores its generator every `every_images` images and after its last iteration (before that
iteration's checkpoint), appends an `event: "monitor"` line to metrics.jsonl and keeps snapshots by rule
(snapshots.py). The best-so-far rides in the checkpoint, so a kill and resume keeps it. Scoring draws from its
own generators - noise Rng(1), later-step noise Rng(2), the same every time - so training is unchanged by it:
  image (dit) teachers: FID and prompt alignment (image_scoring.py) of K x floor(samples / K) images, drawn in
    chunks of 100 exactly as `sidc eval --student-only --seed 1 --per-class samples/K` draws them;
  vector teachers: energy distance, sliced W1, coverage, precision against the true mixture (mixture.py).
The launcher draws monitor-<metric>.png from metrics.jsonl (runtime/rundir/monitor-events.ts)."""
from __future__ import annotations

import copy
import math
import os
import time

import numpy as np
import torch

from . import jsjson
from .graph import config_value
from .mixture import mixture_metrics
from .ops import num
from .precision import Precision
from .rng import Rng
from .sampling import generate_k
from .snapshots import BEST, read_snapshot_records, snapshot_name, write_snapshot
from .stage import product_of

MONITOR_SEED = 1  # sidc eval's default --seed
LOWER_IS_BETTER = ('fid', 'energy', 'sliced_w1')  # compiler/recipe/settings.ts
CHUNK = 100  # images per generate_k call, as drawInChunks (runtime/tfjs/evaluation/image.ts): the fresh noise follows it


def better(metric: str, v, best) -> bool:
    return v is not None and math.isfinite(v) and (best is None or (v < best if metric in LOWER_IS_BETTER else v > best))


def _fp32(G):
    """G as scored: fp32 weights (a bf16-stored generator is scored through an fp32 copy, as tfjs scores in FP32)."""
    if all(p.dtype == torch.float32 for p in G.parameters()):
        return G
    return copy.deepcopy(G).float()


@torch.no_grad()
def score_generator(st, spec: dict) -> dict:
    """The spec's metrics of the stage's generator now (NaN for one not measured)."""
    G = product_of(st)
    if G is None:
        raise RuntimeError(f"monitor: stage {st.stage['name']} has no generator to score")
    G = _fp32(G)
    ts = num(config_value(st.graph, 'teacher.time_scale'), 1)
    gen = int(num(config_value(st.graph, 'generator.steps'), 4))
    fp32, steps = Precision('fp32', st.device), int(spec['steps'])
    dev = next(G.parameters()).device
    if getattr(G, 'kind', None) == 'dit':
        from .image_scoring import image_scorer
        K = int(G.null_condition)
        per_class = max(1, int(spec['samples']) // K)
        labels = np.arange(K * per_class) // per_class
        z = Rng(MONITOR_SEED).normals(len(labels) * G.dim).reshape(len(labels), G.dim)
        rng = Rng(MONITOR_SEED + 1)
        x = np.empty_like(z)
        for i in range(0, len(labels), CHUNK):
            zc = torch.from_numpy(z[i:i + CHUNK]).to(dev)
            c = torch.from_numpy(labels[i:i + CHUNK].astype(np.int64)).to(dev)
            x[i:i + CHUNK] = generate_k(G, zc, c, steps, max(steps, gen), 'fresh', rng, ts, fp32, False).float().cpu().numpy()
        found = image_scorer(st.device).score(x, labels)
    elif st.gmm is not None:
        g, n = st.gmm, int(spec['samples'])
        c = np.arange(n) % g.classes
        z = torch.from_numpy(Rng(MONITOR_SEED).normals(n * g.dim).reshape(n, g.dim)).to(dev)
        noise = str(config_value(st.graph, 'generator.noise') or 'fresh')
        x = generate_k(G, z, torch.from_numpy(c.astype(np.int64)).to(dev), steps, gen, noise, Rng(MONITOR_SEED + 1), ts, fp32, False)
        found = mixture_metrics(g, x.float().cpu().numpy(), c)
    else:
        raise RuntimeError(f'monitor: no metrics for a {G.kind} generator (the monitor scores dit and vector teachers)')
    return {m: float(found[m]) if m in found else math.nan for m in spec['metrics']}


class Monitor:
    def __init__(self, run_dir: str, metrics_path: str, spec: dict, best: dict):
        self.run_dir, self.metrics_path, self.spec, self.best = run_dir, metrics_path, spec, best

    @staticmethod
    def open(run_dir: str, metrics_path: str, st, resumed):
        """The stage's monitor or None. Best-so-far: from the checkpoint it resumes from, else from the snapshots
        of the other stages (this stage's own, from an attempt killed before its first checkpoint, are replayed)."""
        spec = st.stage['attrs'].get('monitor')
        if not spec:
            return None
        if resumed and resumed.get('monitor'):
            return Monitor(run_dir, metrics_path, spec, dict(resumed['monitor']['best']))
        best = {}
        for r in read_snapshot_records(run_dir):
            m = BEST.match(r['rule'])
            if m and r['stage'] != st.stage['name'] and r['metrics'].get(m.group(1)) is not None:
                best[m.group(1)] = r['metrics'][m.group(1)]
        return Monitor(run_dir, metrics_path, spec, best)

    def state(self) -> dict:
        """What the checkpoint carries."""
        return {'best': dict(self.best)}

    def evaluate(self, st) -> dict:
        """Scores the generator, keeps snapshots by rule, appends the event line; returns the event."""
        t0 = time.perf_counter()
        metrics = score_generator(st, self.spec)
        name = st.stage['name']
        kept = []
        for rule in self.spec['keep']:
            m = BEST.match(rule)
            if m and not better(m.group(1), metrics.get(m.group(1)), self.best.get(m.group(1))):
                continue
            if m:
                self.best[m.group(1)] = metrics[m.group(1)]
            rec = {'name': snapshot_name(rule), 'rule': rule, 'stage': name, 'iteration': st.iteration, 'images': st.images,
                   'steps': self.spec['steps'], 'samples': self.spec['samples'], 'metrics': metrics}
            write_snapshot(self.run_dir, rec, product_of(st))
            kept.append(rec['name'])
        # metrics monitored without a snapshot still track their best (the curve's summary)
        for m in self.spec['metrics']:
            if better(m, metrics[m], self.best.get(m)):
                self.best[m] = metrics[m]
        ev = {'event': 'monitor', 'stage': name, 'iteration': st.iteration, 'images': st.images, 'steps': self.spec['steps'],
              'samples': self.spec['samples'], 'metrics': metrics, 'kept': kept, 'seconds': time.perf_counter() - t0}
        fd = os.open(self.metrics_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:  # one write of the whole line, flushed: a crash leaves it whole or absent
            os.write(fd, (jsjson.dumps(ev) + '\n').encode('utf8'))
            os.fsync(fd)
        finally:
            os.close(fd)
        return ev
