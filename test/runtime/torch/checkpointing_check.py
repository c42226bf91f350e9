#!/usr/bin/env python3
"""The torch side of checkpointing.test.ts (hardware.gradient_checkpointing, nets/checkpointing.py).
usage: checkpointing_check.py JOB.json RESULT.json

JOB: {iterations: [{name, on: graph.json, off: graph.json}], nets: {family: teacher_dir}, stacks: {dit: {...}, flux: {...}}}
- iterations: one SiD iteration of each graph pair (same recipe, gradient_checkpointing true / false): the logged
  losses and the updated weights of every trainable net, as max |on - off| / max |off|;
- nets: a tiny family teacher (and a DiT) differentiated w.r.t. its input and weights with and without
  checkpointing: the largest difference of any gradient;
- stacks: bytes that autograd keeps after one pass of a DiT / FLUX block stack trained w.r.t. its weights, per
  sample, with and without checkpointing (distinct storages, weights and buffers excluded; with checkpointing
  the saved set is the blocks' inputs that torch.utils.checkpoint holds for the recomputation plus what the
  layers outside the blocks save).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'runtime', 'torch'))
import sidc_torch.nets.checkpointing as ckpt  # noqa: E402
from sidc_torch.image_stage import prepare_image_stage  # noqa: E402
from sidc_torch.nets.dit import MNIST_VOCAB, DiTConfig, DiTNet, mnist_captions  # noqa: E402
from sidc_torch.nets.families.config import parse_family_config  # noqa: E402
from sidc_torch.nets.families.flux import FluxNet  # noqa: E402
from sidc_torch.nets.families.load import load_family_teacher  # noqa: E402
from sidc_torch.nets.families.text import TextTable  # noqa: E402
from sidc_torch.nets.protocol import checkpoint_params  # noqa: E402
from sidc_torch.stage import run_iteration  # noqa: E402


def one_iteration(path):
    graph = json.load(open(path))
    stage = next(s for s in graph['stages'] if s['kind'] == 'sid')
    st = prepare_image_stage(graph, stage, {}, 'cpu')
    flags = {n: bool(getattr(s.net, ckpt.ATTR, False)) for n, s in st.nets.items()}
    res = run_iteration(st)
    nets = {n: {k: p.detach().clone() for k, p in checkpoint_params(s.net)} for n, s in st.nets.items() if s.decl['trainable']}
    return res['losses'], nets, flags


def compare_iterations(job):
    out = {}
    for it in job['iterations']:
        (l_on, n_on, f_on), (l_off, n_off, f_off) = one_iteration(it['on']), one_iteration(it['off'])
        nets = {}
        for n in n_off:
            diff = max(float((n_on[n][k] - v).abs().max()) for k, v in n_off[n].items())
            scale = max(float(v.abs().max()) for v in n_off[n].values())
            nets[n] = {'abs': diff, 'rel': diff / scale}
        out[it['name']] = {'losses': {p: [l_on[p], l_off[p]] for p in l_off}, 'nets': nets, 'checkpointing': {'on': f_on, 'off': f_off}}
    return out


def gradients(net, x, t, c):
    xi = x.clone().requires_grad_(True)
    v = net(xi, t, c)
    loss = (v * v).sum()
    return float(loss), torch.autograd.grad(loss, [xi] + [p for p in net.parameters() if p.requires_grad])


def compare_nets(job):
    torch.manual_seed(0)
    nets = {fam: load_family_teacher(d, os.path.join(d, 'text.safetensors'), latent=(8, 8) if fam == 'sana' else (4, 4))
            for fam, d in job['nets'].items()}
    nets['dit'] = dit_net({'hidden': 32, 'depth': 3, 'heads': 2, 'side': 8, 'patch': 2})
    out = {}
    for fam, net in nets.items():
        x, t = torch.randn(2, net.dim), torch.rand(2)
        c = torch.tensor([1, 2]) if fam != 'dit' else torch.tensor([3, 10])
        runs = {}
        for on in (False, True):
            net.gradient_checkpointing = on
            runs[on] = gradients(net, x, t, c)
        diff = max(float((a - b).abs().max()) for a, b in zip(runs[False][1], runs[True][1]))
        out[fam] = {'loss': [runs[True][0], runs[False][0]], 'grad_abs': diff, 'grads': len(runs[False][1])}
    return out


def dit_net(s):
    return DiTNet(DiTConfig('stack', 1, s['side'], s['side'], s['patch'], s['hidden'], s['depth'], s['heads'], 4.0, 16, 32, 1000.0, MNIST_VOCAB),
                  mnist_captions())


def flux_net(s):
    cfg = parse_family_config({'_class_name': 'FluxTransformer2DModel', 'patch_size': 1, 'in_channels': 16, 'num_layers': s['double'],
                               'num_single_layers': s['single'], 'attention_head_dim': s['head_dim'], 'num_attention_heads': s['heads'],
                               'joint_attention_dim': 64, 'pooled_projection_dim': 32, 'guidance_embeds': True,
                               'axes_dims_rope': s['rope']}, 'flux stack')
    text = TextTable(['', 'a prompt'], torch.randn(2, s['text_tokens'], 64), torch.ones(2, s['text_tokens']), torch.randn(2, 32))
    return FluxNet(cfg, text, (s['latent'], s['latent']))


def _storage(t):
    s = t.untyped_storage() if hasattr(t, 'untyped_storage') else t.storage()  # torch 2.x / 1.13
    return s.data_ptr(), s.nbytes()


def saved_bytes(net, x, t, c):
    """Distinct storages autograd keeps after net(x, t, c): every tensor a backward node saves, and with
    checkpointing the arguments torch.utils.checkpoint holds (its own hooks hide what the blocks save)."""
    skip = {_storage(p)[0] for p in list(net.parameters()) + list(net.buffers())}
    seen = {}

    def note(v):
        if torch.is_tensor(v):
            ptr, n = _storage(v)
            if ptr not in skip:
                seen[ptr] = n
        return v

    real = ckpt.checkpoint

    def recording(fn, *args, **kw):
        for a in args:
            note(a)
        return real(fn, *args, **kw)

    ckpt.checkpoint = recording
    try:
        with torch.autograd.graph.saved_tensors_hooks(note, lambda v: v):
            v = net(x, t, c)
        v.sum().backward()  # the graph is whole: the recomputation runs
    finally:
        ckpt.checkpoint = real
    return sum(seen.values())


def stacks(job):
    torch.manual_seed(0)
    out = {}
    for name, s in job['stacks'].items():
        net = dit_net(s) if name == 'dit' else flux_net(s)
        b = s['batch']
        x, t = torch.randn(b, net.dim), torch.rand(b)
        c = torch.arange(b) % 10 if name == 'dit' else torch.ones(b, dtype=torch.long)
        row = {}
        for on in (False, True):
            net.gradient_checkpointing = on
            row['checkpointed' if on else 'full'] = saved_bytes(net, x, t, c) / b
        out[name] = row
    return out


def main(job_path, out_path):
    job = json.load(open(job_path))
    torch.set_num_threads(1)
    result = {'iterations': compare_iterations(job), 'nets': compare_nets(job), 'stacks': stacks(job)}
    with open(out_path, 'w') as fh:
        json.dump(result, fh, indent=1)


if __name__ == '__main__':
    main(*sys.argv[1:3])
