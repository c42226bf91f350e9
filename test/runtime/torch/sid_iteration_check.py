#!/usr/bin/env python3
"""The torch engine's side of sid-iteration-harness.ts: for each job, load the compiled graph, run one iteration
of each listed stage with sidc_torch (image_stage.prepare_image_stage + stage.run_iteration; a stage's G
product feeds the next stage, as the runner does) and compare with the tfjs engine's losses and updated nets.
usage: sid_iteration_check.py JOBS.json RESULTS.json

Writes {name: {stage: {losses: {phase: [tfjs, torch]}, nets: {net: {abs, rel, scale, moved, lr_units,
update_rel_l2, off_fraction, count}}}}}: abs = max |torch - tfjs| over the net's weights after the step,
moved = max |weight change| (torch), lr_units = abs / lr, update_rel_l2 = |step_torch - step_tfjs|_2 /
|step_tfjs|_2, off_fraction = share of the count weights whose steps differ by more than 1% of lr.
Adam's first step is lr g / (|g| + eps) per weight: where |g| is within fp32 noise of 0 the two engines may
step in opposite directions (a 2 lr difference), so single weights can differ while the update agrees.
"""
import json
import os
import re
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'runtime', 'torch'))
from sidc_torch.formats.safetensors import read  # noqa: E402
from sidc_torch.image_samples import write_image_samples  # noqa: E402
from sidc_torch.image_stage import prepare_image_stage  # noqa: E402
from sidc_torch.nets.protocol import checkpoint_params  # noqa: E402
from sidc_torch.nets.families.load import load_weights  # noqa: E402
from sidc_torch.stage import product_of, run_iteration  # noqa: E402

# Key biases of softmax attentions whose keys all come from one projection: adding b to every key adds q.b to
# every score of a row, which softmax ignores, so their gradient is exactly 0 and both engines return fp32
# noise that Adam's first step turns into +-lr. Compared apart (only |step| <= lr is required of them).
ZERO_GRADIENT = {
    'dit': r'^transformer_blocks\.\d+\.attn\.to_k\.bias$',
    'sana': r'^transformer_blocks\.\d+\.attn2\.to_k\.bias$',
    'sd3': r'^transformer_blocks\.\d+\.attn2\.to_k\.bias$',
    'flux': r'^single_transformer_blocks\.\d+\.attn\.to_k\.bias$',
}


def compare_net(net, path, before, lr, family):
    ref, _ = read(path)
    params = dict(checkpoint_params(net))
    zero = re.compile(ZERO_GRADIENT.get(family, r'^$'))
    zero_step = 0.0
    if set(params) != set(ref):
        raise SystemExit(f'{path}: tfjs net has {sorted(set(ref) - set(params))[:3]} torch lacks, torch has {sorted(set(params) - set(ref))[:3]}')
    err = scale = moved = 0.0
    diff2 = step2 = 0.0
    count = off = 0
    worst = {}
    for n, p in params.items():
        a = p.detach().double()
        b = ref[n].double()
        if zero.match(n):
            zero_step = max(zero_step, float((a - before[n]).abs().max()) / lr, float((b - before[n]).abs().max()) / lr)
            continue
        err = max(err, float((a - b).abs().max()))
        scale = max(scale, float(b.abs().max()))
        moved = max(moved, float((a - before[n]).abs().max()))
        step_tfjs = b - before[n]
        diff2 += float(((a - b) ** 2).sum())
        step2 += float((step_tfjs ** 2).sum())
        count += a.numel()
        bad = (a - b).abs() > 0.01 * lr
        off += int(bad.sum())
        if bad.any():
            worst[n] = [int(bad.sum()), a.numel(), float(step_tfjs.abs()[bad].max() / lr)]
    return {'abs': err, 'rel': err / (1 + scale), 'scale': scale, 'moved': moved, 'lr_units': err / lr,
            'update_rel_l2': (diff2 / step2) ** 0.5 if step2 > 0 else float('inf'), 'off_fraction': off / count, 'count': count, 'zero_gradient_max_step_lr': zero_step,
            'off_by_param': dict(sorted(worst.items(), key=lambda kv: -kv[1][0])[:8])}


def main(jobs_path, out_path):
    results = {}
    for job in json.load(open(jobs_path)):
        graph = json.load(open(job['graph']))
        products = {}
        out = {}
        for s in job['stages']:
            stage = next(x for x in graph['stages'] if x['name'] == s['name'])
            st = prepare_image_stage(graph, stage, products, 'cpu')
            before = {name: {n: p.detach().double().clone() for n, p in checkpoint_params(slot.net)} for name, slot in st.nets.items()}
            res = run_iteration(st)
            losses = {ph: [s['losses'][ph], res['losses'].get(ph)] for ph in s['losses']}
            missing = [ph for ph in res['losses'] if ph not in s['losses']]
            if missing:
                raise SystemExit(f"{job['name']} {s['name']}: torch ran phases {missing} the tfjs engine did not")
            family = str(graph['config'].get('teacher.family') or graph['config'].get('teacher', {}).get('family'))
            nets = {n: compare_net(st.nets[n].net, path, before[n], s['lr'][n], family) for n, path in s['nets'].items()}
            out[s['name']] = {'losses': losses, 'nets': nets}
            # the next stage starts from the tfjs engine's product, so each stage is compared on its own
            product = product_of(st)
            g = next((n for n, slot in st.nets.items() if slot.decl['role'] == 'generator' or n == 'G'), None)
            if g in s['nets']:
                load_weights(product, {**product.state_dict(), **read(s['nets'][g])[0]}, s['nets'][g])
            products[s['name']] = product
            # the run's sample file of that product (same noise stream as the tfjs engine's)
            mine = write_image_samples(os.path.dirname(s['samples']), st, product, f"{s['name']}-samples-torch")
            a, b = np.load(mine).astype(np.float64), np.load(s['samples']).astype(np.float64)
            if a.shape != b.shape:
                raise SystemExit(f"{job['name']} {s['name']}: samples {a.shape} vs tfjs {b.shape}")
            err, scale = float(np.abs(a - b).max()), float(np.abs(b).max())
            out[s['name']]['samples'] = {'abs': err, 'rel': err / (1 + scale), 'scale': scale}
        results[job['name']] = out
    with open(out_path, 'w') as fh:
        json.dump(results, fh, indent=1)


if __name__ == '__main__':
    main(*sys.argv[1:3])
