"""The analytic mixture teacher (family `gmm`), as runtime/tfjs/nets/analytic-mixture.ts: exact velocity
v = sum_k r_k E[eps - x0 | x_t, k] (eq. 11, docs/algorithm.md §7), no parameters."""
from __future__ import annotations

import math

import torch

from . import register
from .protocol import NetSpec
from ..mixture import Gmm

NEG = -1e30


class GmmTeacher(torch.nn.Module):
    kind = 'gmm'

    def __init__(self, gmm: Gmm, time_scale: float = 1.0, device='cpu'):
        super().__init__()
        K, M = gmm.classes, gmm.modes_per_class
        self.gmm, self.time_scale, self.null_condition = gmm, time_scale, K
        self.config = {'dim': gmm.dim, 'classes': K, 'modes_per_class': M, 'mode_std': gmm.mode_std, 'radius': gmm.radius, 'seed': gmm.seed}
        self.register_buffer('mu', torch.tensor(gmm.means, dtype=torch.float32, device=device), persistent=False)
        lw = torch.full((K + 1, K * M), NEG, dtype=torch.float32)
        for c in range(K):
            lw[c, c * M:(c + 1) * M] = -math.log(M)
        lw[K, :] = -math.log(K * M)
        self.register_buffer('logw', lw.to(device), persistent=False)

    def forward(self, x, t_scaled, c):
        x = x.float()
        s2 = self.gmm.mode_std ** 2
        t = (t_scaled.float() / self.time_scale).reshape(-1, 1)
        a = 1 - t
        v = a * a * s2 + t * t  # var_t
        diff = x[:, None, :] - a[:, :, None] * self.mu[None]
        sq = (diff * diff).sum(-1)
        logits = sq * -0.5 / v + self.logw[c.long()]
        r = torch.softmax(logits, -1)
        m = r @ self.mu
        coef = (t - a * s2) / v
        return coef * (x - a * m) - m


def build(spec: NetSpec):
    return GmmTeacher(spec.extra['gmm'], float(spec.extra.get('time_scale', 1.0)), spec.device)


register('gmm', build)
