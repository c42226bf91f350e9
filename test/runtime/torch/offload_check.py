#!/usr/bin/env python3
"""The torch side of offload.test.ts (hardware.offload = cpu: Adam moments and step on the host, optim.py).
usage: offload_check.py JOB.json RESULT.json

JOB: [{name, cpu: graph.json, none: graph.json, dir}]: the same recipe compiled with offload cpu and none. For
each graph: ITERS SiD iterations, a checkpoint written after the second and read back into a fresh stage that
runs the rest (so resumed moments are placed by the setting too). Writes per case: whether every logged loss and
every weight and Adam moment of the trainable nets is bit-identical between the two graphs, and where the
moments live (Adam.device and the devices of its tensors) in each. On a cpu device the host "copies" of the
weights and gradients are the tensors themselves; a third run of the offload graph makes every Tensor.to inside
the Adam step return a copy, as it does for CUDA weights, so the copy-back path is exercised as well.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'runtime', 'torch'))
from sidc_torch.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from sidc_torch.nets.protocol import checkpoint_params  # noqa: E402
from sidc_torch.optim import Adam  # noqa: E402
from sidc_torch.stage import prepare_stage, run_iteration  # noqa: E402

ITERS = 3


def run(path, ckpt):
    graph = json.load(open(path))
    stage = next(s for s in graph['stages'] if s['kind'] == 'sid')
    st = prepare_stage(graph, stage, {}, 'cpu')
    losses = [run_iteration(st)['losses'] for _ in range(2)]
    save_checkpoint(ckpt, st, 0)
    st = prepare_stage(graph, stage, {}, 'cpu')
    if load_checkpoint(ckpt, st) is None:
        raise SystemExit(f'{ckpt}: the checkpoint was not read back')
    losses += [run_iteration(st)['losses'] for _ in range(ITERS - 2)]
    state = {}
    for n, slot in st.nets.items():
        if slot.decl['trainable']:
            for k, p in checkpoint_params(slot.net):
                state[f'net/{n}/{k}'] = p.detach()
    devices = {}
    for n, a in st.adam.items():
        devices[n] = {'adam': a.device, 'tensors': sorted({str(t.device) for t in [*a.m.values(), *a.v.values()]}), 'count': len(a.m)}
        for k in a.m:
            state[f'adam/{n}/{k}/m'], state[f'adam/{n}/{k}/v'] = a.m[k], a.v[k]
    return losses, state, devices


def copying_update(update):
    """Adam.update with Tensor.to returning fresh tensors: a stand-in for weights on another device."""
    def wrapped(self, *args, **kw):
        to = torch.Tensor.to
        torch.Tensor.to = lambda t, *a, **k: to(t, *a, **k).clone()
        try:
            return update(self, *args, **kw)
        finally:
            torch.Tensor.to = to
    return wrapped


def main(job_path, out_path):
    torch.set_num_threads(1)
    out = {}
    for case in json.load(open(job_path)):
        l_cpu, s_cpu, d_cpu = run(case['cpu'], os.path.join(case['dir'], 'cpu.safetensors'))
        l_none, s_none, d_none = run(case['none'], os.path.join(case['dir'], 'none.safetensors'))
        update = Adam.update
        Adam.update = copying_update(update)
        try:
            l_copy, s_copy, _ = run(case['cpu'], os.path.join(case['dir'], 'copies.safetensors'))
        finally:
            Adam.update = update
        differ = sorted(k for k in s_none if any(k not in s or not torch.equal(s[k], s_none[k]) for s in (s_cpu, s_copy)))
        if l_copy != l_none:
            differ.insert(0, 'losses of the copying run')
        out[case['name']] = {'losses': {'cpu': l_cpu, 'none': l_none}, 'tensors': len(s_none), 'differ': differ[:10],
                             'dtypes': sorted({str(t.dtype) for t in s_cpu.values()}), 'devices': {'cpu': d_cpu, 'none': d_none}}
    with open(out_path, 'w') as fh:
        json.dump(out, fh, indent=1)


if __name__ == '__main__':
    main(*sys.argv[1:3])
