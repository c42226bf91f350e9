"""Samplers shared by the ops and by evaluation, as runtime/tfjs/loop/sampling.ts: guided velocity (eq. 15) on
one doubled batch (unconditional half first), embedded guidance, generate_k (eq. 16) with only the last
step differentiated, and the teacher's Euler sampler. Net outputs are upcast to float32 (precision.py)."""
from __future__ import annotations

import torch

from .nets.protocol import has_guidance_embedding
from .rng import Rng


def guidance_of(j):
    if isinstance(j, (int, float)) and not isinstance(j, bool):
        return ('cfg', float(j))
    o = j if isinstance(j, dict) else {}
    scale = o.get('scale')
    return (o.get('mode') or 'none', float(scale) if isinstance(scale, (int, float)) else 1.0)


def net_forward(net, x, t, c, precision):
    with precision.autocast():
        v = net(x, t, c)
    return v.float()


def guided_velocity(net, x, t, c, g, time_scale: float, precision):
    mode, scale = g
    ts = t * time_scale
    if mode == 'none' or scale == 1:
        return net_forward(net, x, ts, c, precision)
    if mode == 'embedded':
        if not has_guidance_embedding(net):
            raise RuntimeError(f'embedded guidance needs a guidance-embedding backbone; {net.kind} has none')
        own = net.guidance
        net.guidance = scale
        try:
            return net_forward(net, x, ts, c, precision)
        finally:
            net.guidance = own
    B = x.shape[0]
    nul = torch.full((B,), int(net.null_condition), dtype=torch.int64, device=x.device)
    out = net_forward(net, torch.cat([x, x], 0), torch.cat([ts, ts], 0), torch.cat([nul, c.long()], 0), precision)
    vu, vc = out[:B], out[B:]
    return vu + scale * (vc - vu)


def normals_like(rng: Rng, B: int, dim: int, device) -> torch.Tensor:
    return torch.from_numpy(rng.normals(B * dim).reshape(B, dim)).to(device)


def generate_k(G, z, c, k: int, steps: int, noise: str, rng: Rng, time_scale: float, precision, grad_last: bool):
    """D = 0; for i < k: t_i = 1 - i/steps; n = z (i = 0) else fresh / z (fixed) / ddim's re-derived
    noise x + (1 - t) v; x = (1 - t_i) D + t_i n; D = x - t_i G(x, t_i, c). G never gets CFG."""
    B, dim = z.shape
    D = torch.zeros_like(z)
    prev_eps = None
    for i in range(k):
        ti = 1 - i / steps
        if i == 0 or noise == 'fixed':
            n = z
        elif noise == 'ddim':
            n = prev_eps
        else:
            n = normals_like(rng, B, dim, z.device)
        last = i == k - 1
        with torch.set_grad_enabled(last and grad_last):
            tv = torch.full((B,), ti, dtype=torch.float32, device=z.device)
            x = (1 - ti) * D + ti * n
            v = net_forward(G, x, tv * time_scale, c, precision)
            Dn = x - ti * v
        if last and grad_last:
            return Dn
        D = Dn.detach()
        if noise == 'ddim':
            prev_eps = (x + (1 - ti) * v).detach()
    return D


@torch.no_grad()
def euler_sample(net, z, c, steps: int, g, time_scale: float, precision):
    """Teacher Euler from t = 1 to 0 in `steps` uniform steps, guided (eq. 15)."""
    x = z
    for i in range(steps):
        t = 1 - i / steps
        v = guided_velocity(net, x, torch.full((x.shape[0],), t, dtype=torch.float32, device=x.device), c, g, time_scale, precision)
        x = x - (1 / steps) * v
    return x
