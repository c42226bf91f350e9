"""The op catalogue of compiler/graph/types.ts (OPS), as runtime/tfjs/loop/ops.ts: each op reads its inputs
from the environment (edge refs "node.output"), its attrs from the node, and draws from the stage PRNG
in exactly the tfjs engine's order - that is what makes the two engines take the same draws."""
from __future__ import annotations

import math

import numpy as np
import torch

from .mixture import sample_gmm
from .schedule import restriction, sample_times, time_dist, weighting_of_t
from .sampling import generate_k, guidance_of, guided_velocity, normals_like
from .nets.protocol import has_features
from .distributed import global_batch, local_rows, rows_rng


class OpError(Exception):
    def __init__(self, node, msg):
        super().__init__(f"node {node['id']} ({node['op']}): {msg}")


def num(v, d):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else d


def inp(env, node, name):
    ref = node['inputs'].get(name)
    if not ref:
        raise OpError(node, f"missing input '{name}'")
    if ref not in env:
        raise OpError(node, f"input '{name}' refers to {ref}, which has not been computed")
    return env[ref]


def optional(env, node, name):
    return inp(env, node, name) if node['inputs'].get(name) else None


def net_of(st, node):
    name = node['attrs'].get('net')
    if name not in st.nets:
        raise OpError(node, f"net '{name}' is not declared by stage {st.stage['name']}")
    return st.nets[name].net


def b_local(st, node, accumulate):
    return num(node['attrs'].get('b_local'), num(st.graph['bindings'].get('B_local'), st.batch * accumulate))


def _ints(vals, st):
    return torch.tensor(vals, dtype=torch.int64, device=st.device)


def sample_k(node, env, st, acc):
    return 1 + st.rng.int(int(num(node['attrs'].get('steps'), 4)))


def sample_condition(node, env, st, acc):
    src = node['attrs'].get('source') or 'labels'
    if src == 'prompts':
        if not st.prompts:
            raise OpError(node, "condition source 'prompts' needs a text teacher (sana, sd3, flux) with precomputed encodings")
        rows = st.prompts['rows']
        return _ints(local_rows(st, [rows[i] for i in st.rng.ints(len(rows), global_batch(st))]), st)
    if src != 'labels':
        raise OpError(node, f"condition source '{src}' needs a text teacher; vector teachers use class labels")
    K = st.gmm.classes if st.gmm else (st.classes or int(num(st.graph['bindings'].get('K'), 1)))
    return _ints(local_rows(st, st.rng.ints(K, global_batch(st))), st)


def sample_t(node, env, st, acc):
    a = node['attrs']
    dist_json = a.get('distribution') or {'kind': 'logit_normal', 'mean': math.log(2), 'std': 1.6}
    iv = restriction(a.get('distribution'), a.get('interval'))
    t = sample_times(time_dist(dist_json), iv, global_batch(st), st.rng, a.get('sampling') or 'inverse_cdf')
    return torch.from_numpy(local_rows(st, t)).to(st.device)


def sample_noise(node, env, st, acc):
    return local_rows(st, normals_like(st.rng, global_batch(st), st.dim, st.device))


def sample_data(node, env, st, acc):
    if st.real_data is not None:
        return st.real_data(st)
    if st.gmm is None:
        raise OpError(node, f"data source '{node['attrs'].get('source')}' is not available: vector stages sample the teacher's mixture")
    cls = st.rng.ints(st.gmm.classes, global_batch(st))
    x0 = torch.from_numpy(local_rows(st, sample_gmm(st.gmm, cls, st.rng))).to(st.device)
    return {'x0': x0, 'c': _ints(local_rows(st, cls), st)}


def drop_condition(node, env, st, acc):
    c = inp(env, node, 'c').tolist()
    p = num(node['attrs'].get('p'), 0)
    nul = st.prompts['null_row'] if st.prompts else (st.gmm.classes if st.gmm else (st.classes or int(num(st.graph['bindings'].get('K'), 0))))
    drop = local_rows(st, st.rng.uniforms(global_batch(st)) < p)  # every rank draws the global batch's
    return _ints([nul if d else v for d, v in zip(drop, c)], st)


def generate(node, env, st, acc):
    a = node['attrs']
    G = net_of(st, node)
    k = inp(env, node, 'k')
    c = inp(env, node, 'c')
    z = local_rows(st, normals_like(st.rng, global_batch(st), st.dim, st.device))
    grad = a.get('grad') is True
    ts = num(a.get('time_scale'), num(st.config('teacher.time_scale'), 1))
    out = generate_k(G, z, c, int(k), int(num(a.get('steps'), 4)), a.get('noise') or 'fresh', rows_rng(st), ts, st.precision, grad)
    return out if grad else out.detach()


def diffuse(node, env, st, acc):
    x0, t, eps = inp(env, node, 'x0'), inp(env, node, 't').reshape(-1, 1), inp(env, node, 'eps')
    return (1 - t) * x0 + t * eps


def velocity(node, env, st, acc):
    a = node['attrs']
    x, t, c = inp(env, node, 'x'), inp(env, node, 't'), inp(env, node, 'c')
    if a.get('grad') == 'none':
        with torch.no_grad():
            return guided_velocity(net_of(st, node), x, t, c, guidance_of(a.get('guidance')), num(a.get('time_scale'), 1), st.precision).detach()
    return guided_velocity(net_of(st, node), x, t, c, guidance_of(a.get('guidance')), num(a.get('time_scale'), 1), st.precision)


def x0_from_v(node, env, st, acc):
    return inp(env, node, 'x') - inp(env, node, 't').reshape(-1, 1) * inp(env, node, 'v')


def weighting(node, env, st, acc):
    t = inp(env, node, 't').detach().cpu().numpy().astype(np.float64)
    w = weighting_of_t(node['attrs'].get('weighting') or {'name': 'one_minus_t'})
    if w == 'sid_norm':
        xg, yr = optional(env, node, 'x_g'), optional(env, node, 'y_real')
        if xg is None or yr is None:
            raise OpError(node, 'weighting sid_norm needs inputs x_g and y_real')
        m = (xg.detach() - yr.detach()).abs().mean(-1).double().cpu().numpy()
        return torch.tensor((1 / np.maximum(m, 1e-12)).astype(np.float32), device=st.device)
    return torch.tensor(np.array([w(float(ti)) for ti in t], dtype=np.float32), device=st.device)


def sid_loss(node, env, st, acc):
    """eq. 18 with alpha: per sample, summed over elements; NaN samples dropped (counted)."""
    yr, yf, xg = inp(env, node, 'y_real'), inp(env, node, 'y_fake'), inp(env, node, 'x_g')
    w = inp(env, node, 'w').reshape(-1, 1)
    lam = num(node['attrs'].get('lambda_sid'), 100)
    alpha = num(node['attrs'].get('alpha'), 1)
    d = yr - yf
    per = (w * (d * ((yr - xg) - alpha * d))).sum(-1)
    nan = torch.isnan(per)
    dropped = int(nan.sum().item())
    st.stats['dropped'] += dropped
    kept = torch.where(nan, torch.zeros_like(per), per) if dropped else per
    return (lam / b_local(st, node, acc)) * kept.sum()


def fm_loss(node, env, st, acc):
    target = inp(env, node, 'eps') - inp(env, node, 'x0')
    return ((inp(env, node, 'v') - target) ** 2).sum() / b_local(st, node, acc)


def combine(node, env, st, acc):
    total = torch.zeros((), device=st.device)
    seen = set()
    for term in node['attrs'].get('terms') or []:
        lo, hi = num(term.get('from'), -math.inf), num(term.get('until'), math.inf)
        ref = term.get('input')
        if ref not in env:
            raise OpError(node, f'term {ref} has not been computed')
        v = env[ref]
        active = lo <= st.images < hi
        if st.terms is not None and ref not in seen and torch.is_tensor(v) and v.numel() == 1:
            seen.add(ref)
            key = ref.rsplit('.', 1)[0]
            st.terms[key] = st.terms.get(key, 0.0) + float(v.item())
        # an inactive term is kept at weight 0 so the loss stays connected to the net
        total = total + (num(term.get('weight'), 1) if active else 0.0) * v
    return total


def _softplus(x):
    return torch.relu(x) + torch.log(1 + torch.exp(-x.abs()))


def disc_logits(node, env, st, acc):
    net = net_of(st, node)
    if not has_features(net):
        raise OpError(node, 'the adversarial stage needs a transformer backbone (dit, sana, sd3, flux); vector teachers have no token features')
    a = node['attrs']
    clamp = num(a.get('clamp'), num(st.config('adversarial.clamp'), 10))
    ts = inp(env, node, 't') * num(a.get('time_scale'), 1)
    with st.precision.autocast():
        f = net.features(inp(env, node, 'x'), ts, inp(env, node, 'c'))
    f = f.float()
    if f.dim() == 3:  # [B, N, Dh] token features -> mean over tokens (docs/algorithm.md §6)
        f = f.mean(1)
    return f.clamp(-clamp, clamp)


def disc_loss(node, env, st, acc):
    real, fake = inp(env, node, 'real'), inp(env, node, 'fake')
    per = 0.5 * (_softplus(-real).mean(-1) + _softplus(fake).mean(-1))
    return (num(node['attrs'].get('numel'), 1) / b_local(st, node, acc)) * per.sum()


def gan_loss(node, env, st, acc):
    fake, t = inp(env, node, 'fake'), inp(env, node, 't')
    per = _softplus(-fake).mean(-1) * (1 - t.reshape(-1))
    return (num(node['attrs'].get('numel'), 1) / b_local(st, node, acc)) * per.sum()


OP_IMPLS = {f.__name__: f for f in (sample_k, sample_condition, sample_t, sample_noise, sample_data, drop_condition, generate, diffuse,
                                    velocity, x0_from_v, weighting, sid_loss, fm_loss, combine, disc_logits, disc_loss, gan_loss)}


def exec_node(node, env, st, accumulate):
    impl = OP_IMPLS.get(node['op'])
    if impl is None:
        raise OpError(node, f"unknown op '{node['op']}'")
    out = impl(node, env, st, accumulate)
    names = list(node['outputs'].keys())
    if isinstance(out, dict):
        for k, v in out.items():
            env[f"{node['id']}.{k}"] = v
    else:
        env[f"{node['id']}.{names[0] if names else 'out'}"] = out
