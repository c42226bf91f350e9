#!/usr/bin/env python3
"""The torch side of bench/bf16-torch.bench.ts: runs one compiled graph in a run directory with the torch
engine's own entry point (sidc_torch.runner.run_graph: the same stages, checkpoints, metrics.jsonl and
monitor as `sidc run --engine torch`) and records, after every iteration of the `sid` stage, what G's
stored parameters did. Nothing in the engine changes: four of its module-level functions are wrapped here
(runner.run_iteration to look at G before / after each iteration; stage._run_phase and stage.sanitize_grad
to count, per phase, the gradient entries that are exactly zero or non-finite before Adam sees them;
runner.save_checkpoint to read each checkpoint back).
"Stored value" is what a checkpoint holds: each trained parameter of G (checkpoint_params, the list Adam
updates) as float32 - exact for bf16 storage. After the run the last iteration's G is checked against the
student.safetensors the engine wrote, and G of every checkpoint (train.checkpoint_every) against the hook's
copy of that iteration, bit for bit: the counts are those of the files.
usage: bf16_torch.py GRAPH.json RUN_DIR OUT.json [--threads 1]
Writes OUT.json: {per_step: [...], checkpoints: [...], params, cpu_seconds, wall_seconds, student_file_matches}."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'runtime', 'torch'))
from sidc_torch import runner, stage  # noqa: E402
from sidc_torch.formats import safetensors as stf  # noqa: E402
from sidc_torch.graph import load_graph  # noqa: E402
from sidc_torch.nets.protocol import checkpoint_params  # noqa: E402


def stored(st) -> dict:
    """G's trained parameters as a checkpoint stores them (checkpoint._f32)."""
    return {n: p.detach().to('cpu', torch.float32).clone() for n, p in checkpoint_params(st.nets['G'].net)}


def images_per_iteration(st) -> int:
    """train_stage adds these to st.images after run_iteration returns (one process here)."""
    return int(stage.schedule_of(st.graph, st.stage, st.batch)['images_per_iteration'])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('graph')
    ap.add_argument('run_dir')
    ap.add_argument('out')
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    graph = load_graph(a.graph)

    per_step: list = []
    seen = {'first': None, 'prev': None, 'phase': None}
    grads: dict = {}  # phase updates-net -> {'entries', 'zero', 'nonfinite'} of the current iteration

    orig_sanitize, orig_phase, orig_iteration = stage.sanitize_grad, stage._run_phase, runner.run_iteration

    def sanitize(g, clip):
        c = grads.setdefault(seen['phase'] or '?', {'entries': 0, 'zero': 0, 'nonfinite': 0})
        c['entries'] += g.numel()
        c['zero'] += int((g == 0).sum().item())
        bad = orig_sanitize(g, clip)
        c['nonfinite'] += bad
        return bad

    def run_phase(st, phase, shared):
        seen['phase'] = phase['updates']
        try:
            return orig_phase(st, phase, shared)
        finally:
            seen['phase'] = None

    def iteration(st):
        if st.stage['kind'] != 'sid':
            return orig_iteration(st)
        if seen['prev'] is None:
            seen['first'] = seen['prev'] = stored(st)
        grads.clear()
        r = orig_iteration(st)
        now = stored(st)
        total = sum(v.numel() for v in now.values())
        changed = sum(int((now[n] != seen['prev'][n]).sum().item()) for n in now)
        since = sum(int((now[n] != seen['first'][n]).sum().item()) for n in now)
        nonfinite_w = sum(int((~torch.isfinite(v)).sum().item()) for v in now.values())
        per_step.append({'iteration': st.iteration, 'images': st.images + images_per_iteration(st), 'k': r.get('k'), 'losses': r['losses'],
                         'changed': changed / total, 'changed_since_start': since / total, 'nonfinite_weights': nonfinite_w,
                         'grads': {k: dict(v) for k, v in grads.items()}})
        seen['prev'] = now
        return r

    checkpoints: list = []
    orig_save = runner.save_checkpoint

    def save(path, st, metrics_bytes, monitor=None):
        """The engine writes its checkpoint; read it back: G (net/G/...) must be what the hook saw after this
        iteration, and Adam's second moment of G (adam/G/.../v, adamSteps) says where eps dominates the
        denominator sqrt(v / (1 - beta2^step)) + eps of the update."""
        orig_save(path, st, metrics_bytes, monitor)
        if st.stage['kind'] != 'sid' or seen['prev'] is None:
            return
        tensors, meta = stf.read(path)
        state = json.loads(meta['state'])
        g = seen['prev']
        same = all(torch.equal(tensors[f'net/G/{n}'].to(torch.float32).reshape(v.shape), v) for n, v in g.items())
        step = int(state['adamSteps']['G'])
        beta2 = float(next(p['optimizer']['beta2'] for p in st.stage['phases'] if p['updates'] == 'G'))
        v = torch.cat([tensors[f'adam/G/{n}/v'].to(torch.float64).reshape(-1) for n in g])
        m = torch.cat([tensors[f'adam/G/{n}/m'].to(torch.float64).reshape(-1) for n in g])
        denom = torch.sqrt(v / (1 - beta2 ** step))
        checkpoints.append({'images': int(state['images']), 'G_matches': same, 'adam_steps': step,
                            'sqrt_vhat_below': {t: float((denom < float(t)).double().mean()) for t in ('1e-8', '1e-6', '1e-4')},
                            'sqrt_vhat_median': float(denom.median()), 'm_zero': float((m == 0).double().mean())})

    stage.sanitize_grad, stage._run_phase, runner.run_iteration, runner.save_checkpoint = sanitize, run_phase, iteration, save
    c0, t0 = time.process_time(), time.perf_counter()
    ok = runner.run_graph(graph, a.run_dir, 'cpu')
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0

    student, _ = stf.read(os.path.join(a.run_dir, 'student.safetensors'))
    last = seen['prev'] or {}
    matches = bool(last) and all(n in student and torch.equal(student[n].to(torch.float32).reshape(v.shape), v) for n, v in last.items())
    params = sum(v.numel() for v in last.values())
    with open(a.out, 'w', encoding='utf8') as f:
        json.dump({'completed': ok, 'params': params, 'per_step': per_step, 'checkpoints': checkpoints, 'cpu_seconds': cpu,
                   'wall_seconds': wall, 'threads': a.threads, 'student_file_matches': matches}, f)
    return 0 if ok and matches and all(c['G_matches'] for c in checkpoints) else 1


if __name__ == '__main__':
    sys.exit(main())
