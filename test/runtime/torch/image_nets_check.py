#!/usr/bin/env python3
"""Runs the torch engine's image nets on the inputs image-nets.test.ts wrote and compares with the tfjs
engine's outputs. usage: image_nets_check.py JOBS.json RESULTS.json

Each job: {name, load: {kind: 'dit', file, input_scale} | {kind: 'family', root, text, latent, objective},
time_scale, cfg, embedded (scale or null), files: {x, t, c, v, v_cfg, [v_embedded], features, saved}}: the
net is also saved with the engine's save_net to `saved`, for the tfjs engine to load.
Writes {name: {quantity: {abs, rel, scale}}} with abs = max |torch - tfjs|, scale = max |tfjs|,
rel = abs / (1 + scale) (the repo's relErr).
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'runtime', 'torch'))
from sidc_torch.nets.dit import load_dit_file, mnist_captions  # noqa: E402
from sidc_torch.formats.safetensors import read_checkpoint  # noqa: E402
from sidc_torch.nets.families.config import transformer_dir  # noqa: E402
from sidc_torch.nets.families.load import load_family_teacher  # noqa: E402
from sidc_torch.checkpoint import save_net  # noqa: E402
from sidc_torch.precision import Precision  # noqa: E402
from sidc_torch.sampling import guided_velocity  # noqa: E402


def compare(ours: torch.Tensor, path, ref_tensor=None) -> dict:
    ref = np.load(path).astype(np.float64) if ref_tensor is None else ref_tensor.detach().double().numpy()
    a = ours.detach().double().numpy()
    if a.shape != ref.shape:
        raise SystemExit(f'{path}: shape {a.shape} vs tfjs {ref.shape}')
    err = float(np.abs(a - ref).max())
    scale = float(np.abs(ref).max())
    return {'abs': err, 'rel': err / (1 + scale), 'scale': scale}


def load(job: dict, dtype=torch.float32):
    ld = job['load']
    if ld['kind'] == 'dit':
        return load_dit_file(ld['file'], captions=mnist_captions(), input_scale=ld['input_scale'], dtype=dtype)
    return load_family_teacher(ld['root'], ld['text'], latent=(ld['latent'], ld['latent']), objective=ld['objective'], dtype=dtype)


def reference_check(job: dict, net, x, t, c) -> dict:
    """The transformer pass against scripts/reference/families.py (an independent port with diffusers' module
    tree, loaded with load_state_dict(strict=True) from the same shards), on the same transformer inputs."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'scripts', 'reference'))
    import families as ref  # noqa: E402  (test-only: the engine never imports the reference)
    tdir = transformer_dir(job['load']['root'])
    cfg = json.load(open(os.path.join(tdir, 'config.json')))
    model = ref.CLASSES[cfg['_class_name']](cfg)
    model.load_state_dict(ref.read_checkpoint(tdir), strict=True)
    inp = net.inputs(x, t * job['time_scale'], c)
    mask = net.text.mask[c]
    v_ref = model(inp.x, inp.timestep, inp.text, mask, inp.pooled, inp.guidance)
    return compare(net.transformer(inp)[1], None, v_ref)


def dit_reference_check(job: dict, net, x, t, c) -> dict:
    """The DiT against scripts/reference/sid_dit_torch.py's independent DiT (fused qkv, own caption table)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'scripts', 'reference'))
    import sid_dit_torch as ref  # noqa: E402  (test-only)
    w, meta = ref.read_safetensors(job['load']['file'])
    cfg = json.loads(meta['config'])
    model = ref.build_dit(cfg, w)
    table = torch.from_numpy(ref.caption_table(cfg, w['text_encoder.token_embedding.weight'], mnist_captions()))
    b = x.shape[0]
    v_ref = model(x.reshape(b, cfg['channels'], cfg['height'], cfg['width']), t * job['time_scale'] * job['load']['input_scale'], table[c])
    return compare(net(x, t * job['time_scale'], c), None, v_ref.reshape(b, -1))


def bf16_checks(job: dict, x, t, c, fp32) -> dict:
    """A family teacher loaded as bfloat16 from its BF16 shards: every weight is the stored value bit for bit
    (no detour that rounds twice), and its velocity stays within bfloat16 accuracy of the tfjs engine's."""
    net = load(job, torch.bfloat16)
    stored, _ = read_checkpoint(transformer_dir(job['load']['root']))
    mismatched = sum(int((p != stored[n]).sum()) for n, p in net.state_dict().items() if stored[n].dtype == torch.bfloat16)
    wrong_dtype = sum(1 for p in net.parameters() if p.dtype != torch.bfloat16)
    v = guided_velocity(net, x, t, c, ('none', 1.0), job['time_scale'], fp32)
    return {'bf16_weights_differing': mismatched, 'bf16_wrong_dtype': wrong_dtype, 'v_bf16': compare(v, job['files']['v'])}


def main(jobs_path: str, out_path: str) -> None:
    torch.set_grad_enabled(False)
    fp32 = Precision('fp32', 'cpu')
    results = {}
    for job in json.load(open(jobs_path)):
        net = load(job)
        f = job['files']
        x = torch.from_numpy(np.load(f['x']))
        t = torch.from_numpy(np.load(f['t']))
        c = torch.from_numpy(np.load(f['c']).astype(np.int64))
        ts = job['time_scale']
        r = {'v': compare(guided_velocity(net, x, t, c, ('none', 1.0), ts, fp32), f['v']),
             'v_cfg': compare(guided_velocity(net, x, t, c, ('cfg', job['cfg']), ts, fp32), f['v_cfg']),
             'features': compare(net.features(x, t * ts, c).mean(1), f['features'])}
        if job['embedded'] is not None:
            r['v_embedded'] = compare(guided_velocity(net, x, t, c, ('embedded', job['embedded']), ts, fp32), f['v_embedded'])
            if net.guidance != 1.0:
                raise SystemExit(f"{job['name']}: embedded guidance left the net's guidance at {net.guidance}")
        # amp (docs/algorithm.md §5): the pass under the engine's bf16 autocast stays within bf16 accuracy
        r['v_amp'] = compare(guided_velocity(net, x, t, c, ('cfg', job['cfg']), ts, Precision('amp', 'cpu')), f['v_cfg'])
        save_net(f['saved'], net)  # the tfjs engine loads it back (image-nets.test.ts)
        if job['load']['kind'] == 'dit':
            r['v_reference'] = dit_reference_check(job, net, x, t, c)
        if job['load']['kind'] == 'family':
            r['v_reference'] = reference_check(job, net, x, t, c)
            r.update(bf16_checks(job, x, t, c, fp32))
        results[job['name']] = r
    with open(out_path, 'w') as fh:
        json.dump(results, fh, indent=1)


if __name__ == '__main__':
    main(*sys.argv[1:3])
