"""The small conditional velocity MLP (family `mlp`; psi and G of the `gmm` family), the same
architecture, parameter names and seeded init as runtime/tfjs/nets/mlp.ts, so checkpoints load in both
engines: sinusoidal time embedding + class embedding (K classes + null class K) + residual blocks
h += W2 silu(W1 silu(h) + b1) + b2; the output layer starts at zero."""
from __future__ import annotations

import math
from typing import Dict, Optional

import numpy as np
import torch
import torch.nn.functional as F

from . import register
from .protocol import NetSpec
from ..rng import Rng


def param_shapes(dim, classes, width, depth, freqs):
    """(name, shape, init scale) in the tfjs engine's order - the order the seeded init draws in."""
    s = [('in.w', [dim, width], math.sqrt(1 / dim)), ('time.w', [2 * freqs, width], math.sqrt(1 / (2 * freqs))),
         ('class.emb', [classes + 1, width], 1.0), ('in.b', [width], 0.0)]
    for l in range(depth):
        s += [(f'block{l}.w1', [width, width], math.sqrt(2 / width)), (f'block{l}.b1', [width], 0.0),
              (f'block{l}.w2', [width, width], math.sqrt(1 / width) * 0.5), (f'block{l}.b2', [width], 0.0)]
    return s + [('out.w', [width, dim], 0.0), ('out.b', [dim], 0.0)]


class MlpNet(torch.nn.Module):
    kind = 'mlp'

    def __init__(self, cfg: Dict, init: 'Rng | Dict[str, torch.Tensor]', trainable=True, device='cpu'):
        super().__init__()
        self.cfg = {k: int(cfg[k]) for k in ('dim', 'classes', 'width', 'depth', 'freqs')}
        self.config = dict(self.cfg)
        self.null_condition = self.cfg['classes']
        F_ = self.cfg['freqs']
        f = np.array([math.pi * math.pow(2, i * (7 / max(1, F_ - 1))) / 2 for i in range(F_)], dtype=np.float32)
        self.register_buffer('freqs', torch.tensor(f, device=device).reshape(1, F_), persistent=False)
        self.params = torch.nn.ParameterDict()
        self._names = []
        for name, shape, scale in param_shapes(**self.cfg):
            n = int(np.prod(shape))
            if isinstance(init, Rng):
                data = np.zeros(n, np.float32) if scale == 0 else (init.normals(n).astype(np.float64) * scale).astype(np.float32)
                value = torch.tensor(data).reshape(shape)
            else:
                if name not in init:
                    raise KeyError(f'mlp: missing parameter {name}')
                value = init[name].detach().to('cpu', torch.float32).clone().reshape(shape)
            self.params[name.replace('.', '__')] = torch.nn.Parameter(value.to(device), requires_grad=trainable)
            self._names.append(name)

    def named_weights(self):
        """(tfjs parameter name, Parameter) in the tfjs engine's order: the checkpoint keys."""
        return [(n, self.params[n.replace('.', '__')]) for n in self._names]

    def p(self, name):
        return self.params[name.replace('.', '__')]

    def forward(self, x, t, c):
        ang = t.float().reshape(-1, 1) @ self.freqs
        temb = torch.cat([torch.sin(ang), torch.cos(ang)], 1)
        onehot = F.one_hot(c.long(), self.cfg['classes'] + 1).to(self.p('class.emb').dtype)
        h = (x.to(self.p('in.w').dtype) @ self.p('in.w') + temb.to(self.p('time.w').dtype) @ self.p('time.w')) + (onehot @ self.p('class.emb') + self.p('in.b'))
        for l in range(self.cfg['depth']):
            a = F.silu(h) @ self.p(f'block{l}.w1') + self.p(f'block{l}.b1')
            h = h + (F.silu(a) @ self.p(f'block{l}.w2') + self.p(f'block{l}.b2'))
        return F.silu(h) @ self.p('out.w') + self.p('out.b')


def build(spec: NetSpec):
    cfg = spec.extra['mlp_config']
    init = spec.tensors if spec.tensors is not None else Rng.derive(spec.seed, f'init:{spec.name}')
    return MlpNet(cfg, init, spec.trainable, spec.device)


register('mlp', build)
