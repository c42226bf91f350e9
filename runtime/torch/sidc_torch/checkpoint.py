"""Checkpoints and saved nets in the tfjs engine's format (runtime/tfjs/loop/checkpoint.ts), so either engine
resumes or loads what the other wrote: one safetensors file, written atomically, with
net/<net>/<param> and adam/<net>/<param>/{m,v} as F32 and the JSON state (stage, iteration, images,
rng, adamSteps, stats, metricsBytes, monitor: the best-so-far of a monitored stage) in the metadata.
Finished stages: stages/<name>.safetensors with metadata {format: sidc.net, kind, config, stage}."""
from __future__ import annotations

import json
import os
from typing import Optional

import torch

from .formats import safetensors as stf
from .nets import build as build_net
from .nets.protocol import NetSpec, checkpoint_params


def _f32(t: torch.Tensor) -> torch.Tensor:
    return t.detach().to('cpu', torch.float32).contiguous()


def net_tensors(net) -> dict:
    exp = getattr(net, 'export_tensors', None)
    if callable(exp):
        return {k: _f32(v) for k, v in exp().items()}
    return {n: _f32(p) for n, p in checkpoint_params(net)}


def save_checkpoint(path: str, st, metrics_bytes: int, monitor=None) -> None:
    tensors, adam_steps = {}, {}
    for name, slot in st.nets.items():
        if slot.decl['trainable']:
            for p, v in net_tensors(slot.net).items():
                tensors[f'net/{name}/{p}'] = v
    for net, a in st.adam.items():
        adam_steps[net] = a.step
        for p in a.m:
            tensors[f'adam/{net}/{p}/m'] = _f32(a.m[p])
            tensors[f'adam/{net}/{p}/v'] = _f32(a.v[p])
    state = {'stage': st.stage['name'], 'iteration': st.iteration, 'images': st.images, 'rng': st.rng.get_state(),
             'adamSteps': adam_steps, 'stats': st.stats, 'metricsBytes': metrics_bytes, **({'monitor': monitor} if monitor else {})}
    stf.write(path, tensors, {'format': 'sidc.checkpoint', 'state': json.dumps(state, separators=(',', ':'))})


@torch.no_grad()
def load_checkpoint(path: str, st) -> Optional[dict]:
    """Restores st from a checkpoint of the same stage; returns its state, or None when there is none."""
    if not os.path.exists(path):
        return None
    tensors, meta = stf.read(path)
    state = json.loads(meta.get('state', 'null'))
    if not state or state.get('stage') != st.stage['name']:
        return None
    for name, slot in st.nets.items():
        if not slot.decl['trainable']:
            continue
        for p, v in checkpoint_params(slot.net):
            t = tensors.get(f'net/{name}/{p}')
            if t is None:
                raise RuntimeError(f'checkpoint {path} lacks net/{name}/{p}')
            v.copy_(t.reshape(v.shape).to(v.dtype))
    st.adam.clear()
    store = torch.bfloat16 if st.precision.bf16_storage else torch.float32
    for net, step in state['adamSteps'].items():
        a = st.new_adam()
        a.step = int(step)
        for p, v in checkpoint_params(st.nets[net].net):
            m, vv = tensors.get(f'adam/{net}/{p}/m'), tensors.get(f'adam/{net}/{p}/v')
            if m is not None and vv is not None:
                a.m[p] = m.reshape(v.shape).to(a.device or st.device, store)
                a.v[p] = vv.reshape(v.shape).to(a.device or st.device, store)
        st.adam[net] = a
    st.iteration, st.images = int(state['iteration']), int(state['images'])
    st.rng.set_state(state['rng'])
    st.stats = dict(state['stats'])
    return state


def save_net(path: str, net, extra=None) -> None:
    stf.write(path, net_tensors(net), {'format': 'sidc.net', 'kind': net.kind, 'config': json.dumps(net.config, separators=(',', ':')), **(extra or {})})


def load_net(path: str, graph: dict, device: str, trainable=False):
    tensors, meta = stf.read(path)
    kind = meta.get('kind')
    cfg = json.loads(meta.get('config') or '{}')
    if kind == 'mlp':
        return build_net('mlp', NetSpec(graph=graph, init='tensors', tensors={k: v.float() for k, v in tensors.items()}, trainable=trainable, device=device, extra={'mlp_config': cfg}))
    # image families: the recipe's teacher architecture with the saved weights (nets/image_builders.py)
    from .nets.image_builders import load_student
    return load_student(path, NetSpec(graph=graph, init='tensors', trainable=trainable, device=device))
