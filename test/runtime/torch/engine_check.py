"""Helper of test/runtime/torch/*.test.ts: reproduces, in the torch engine, what the tfjs side wrote
as JSON, and prints one JSON line with the results. Usage: engine_check.py <command> <in.json>."""
import json
import sys

import numpy as np

from sidc_torch.rng import Rng
from sidc_torch.schedule import restriction, sample_times, time_dist, weighting_of_t


def streams(spec):
    r = Rng.derive(spec['seed'], spec['label'])
    out = {'u32': [r.next_u32() for _ in range(spec['n'])], 'uniforms': list(r.uniforms(spec['n'])),
           'normals': [float(v) for v in r.normals(spec['n'] + 1)], 'ints': [r.int(7) for _ in range(spec['n'])]}
    out['state'] = r.get_state()
    r2 = Rng(out['state'])
    out['after_restore'] = r2.next_u32()
    out['plain'] = [Rng(s).next_u32() for s in (0, 1, 2 ** 32 - 1)]
    return out


def draws(spec):
    """Runs spec['ops'] ([op, n] pairs) on one stream and writes every result's bytes to spec['out'], as
    rng-bulk.test.ts lays out prng.ts's: u32 uint32, uniform(s) float64, int(s) int32, normal(s) float32
    (libm's and V8's float64 log / cos differ in the last bits), state 4 x uint32; 'restore' restarts the
    stream from its own state (a checkpoint)."""
    r = Rng.derive(spec['seed'], spec['label'])
    parts = []
    for op, n in spec['ops']:
        if op == 'u32s':
            parts.append(r.u32s(n).astype('<u4'))
        elif op == 'u32':
            parts.append(np.array([r.next_u32() for _ in range(n)], dtype='<u4'))
        elif op == 'uniforms':
            parts.append(r.uniforms(n).astype('<f8'))
        elif op == 'uniform':
            parts.append(np.array([r.uniform() for _ in range(n)], dtype='<f8'))
        elif op == 'ints':
            parts.append(r.ints(7, n).astype('<i4'))
        elif op == 'int':
            parts.append(np.array([r.int(7) for _ in range(n)], dtype='<i4'))
        elif op == 'normals':
            parts.append(r.normals(n).astype('<f4'))
        elif op == 'normal':
            parts.append(np.array([r.normal() for _ in range(n)], dtype='<f4'))
        elif op == 'state':
            parts.append(np.array(r.get_state(), dtype='<u4'))
        elif op == 'restore':
            r = Rng(r.get_state())
        else:
            raise ValueError(op)
    with open(spec['out'], 'wb') as f:
        for a in parts:
            f.write(a.tobytes())
    return {'bytes': sum(a.nbytes for a in parts)}


def adam(spec):
    """sanitize_grads + Adam.update over spec['steps'] gradients (as adam.test.ts runs sanitizeGrad + adamStep);
    in fp32 also torch.optim.Adam on the same (sanitized) gradients, for the largest difference to it."""
    import torch
    from sidc_torch.optim import Adam, sanitize_grads
    bf16, opt = spec['bf16'], spec['optimizer']
    t = lambda v: torch.tensor([float(x) for x in v], dtype=torch.float32)  # 'NaN', 'Infinity' come as strings
    params = [(k, t(v).to(torch.bfloat16) if bf16 else t(v)) for k, v in spec['params'].items()]
    ref = [t(v).requires_grad_() for v in spec['params'].values()]
    torch_adam = torch.optim.Adam(ref, lr=opt['lr'], betas=(opt['beta1'], opt['beta2']), eps=opt['eps'], weight_decay=opt.get('weight_decay') or 0, foreach=False)
    ours, nonfinite = Adam(), 0
    for step in spec['steps']:
        grads = {k: t(v) for k, v in step.items()}
        nonfinite += sanitize_grads(list(grads.values()), opt.get('clip'))
        ours.update(opt, params, grads, bf16)
        for p, (k, _) in zip(ref, params):
            p.grad = grads[k].clone()
        torch_adam.step()
    out = lambda d: {k: v.float().flatten().tolist() for k, v in d.items()}
    off = max(float((p.float() - r.detach()).abs().max()) for (_, p), r in zip(params, ref))
    return {'params': out(dict(params)), 'm': out(ours.m), 'v': out(ours.v), 'nonfinite': nonfinite, 'torch_adam_max_abs_diff': off}


def gmm(spec):
    """make_gmm + sample_gmm (null classes draw a class) from Rng(seed): the means, the draws, the state after."""
    from sidc_torch.mixture import make_gmm, sample_gmm
    g = make_gmm(spec['dim'], spec['classes'], spec['modes'], spec['std'], spec['radius'], spec['seed'])
    r = Rng(spec['seed'] + 1)
    x = sample_gmm(g, spec['c'], r)
    return {'means': [float(v) for v in g.means.flatten()], 'x': [float(v) for v in x.flatten()], 'state': r.get_state()}


def times(spec):
    out = []
    for case in spec['cases']:
        r = Rng.derive(case['seed'], 'stage:t')
        d = time_dist(case['distribution'])
        t = sample_times(d, restriction(case['distribution'], case.get('interval')), case['n'], r, case.get('sampling', 'inverse_cdf'))
        out.append([float(v) for v in t])
    ws = []
    for w in spec['weightings']:
        f = weighting_of_t(w)
        ws.append([float(np.float32(f(float(np.float32(t))))) for t in spec['t']])
    return {'times': out, 'weightings': ws}


def formats(spec):
    """Writes spec['tensors'] with the torch engine's writer; reads the tfjs-written file and index."""
    import torch
    from sidc_torch.formats import safetensors as stf
    dt = {'F32': torch.float32, 'BF16': torch.bfloat16, 'F16': torch.float16}
    stf.write(spec['out'], {k: torch.tensor(v['data'], dtype=torch.float32).to(dt[v['dtype']]).reshape(v['shape']) for k, v in spec['tensors'].items()}, spec['metadata'])
    got, meta = stf.read(spec['tfjs_file'])
    sharded, _ = stf.read_checkpoint(spec['index'])
    return {'read': {k: [str(t.dtype), t.float().flatten().tolist()] for k, t in got.items()}, 'meta': meta,
            'sharded': {k: t.float().flatten().tolist() for k, t in sharded.items()}}


if __name__ == '__main__':
    cmd, path = sys.argv[1], sys.argv[2]
    spec = json.load(open(path))
    print(json.dumps({'streams': streams, 'draws': draws, 'gmm': gmm, 'adam': adam, 'times': times, 'formats': formats}[cmd](spec)))
