"""Adam exactly as runtime/tfjs/loop/adam.ts (docs/algorithm.md §5): beta1 = 0 allowed, bias-corrected as
torch.optim.Adam, optional L2 weight decay, constant lr; the gradient first goes through nan_to_num
(NaN -> 0, +-inf -> +-1e5) and the optional value clip. The update is evaluated in float64 and rounded
to the storage dtype, as the tfjs engine's Float32Array loop does, so given the same gradient both
engines produce the same bits. bf16 storage rounds after every elementwise op of torch's bf16 Adam:
  m = r(lerp(m, g, 1 - b1)); v = r(r(v b2) + (1 - b2) g^2); d = r(r(r(sqrt v) / sqrt(bc2)) + eps);
  p = r(p - lr / bc1 * m / d)."""
from __future__ import annotations

import math
from typing import Dict, List, Tuple

import torch


def sanitize_grad(g: torch.Tensor, clip) -> int:
    """In place; returns how many entries were non-finite."""
    bad = int((~torch.isfinite(g)).sum().item())
    if bad:
        torch.nan_to_num_(g, nan=0.0, posinf=1e5, neginf=-1e5)
    if clip is not None:
        g.clamp_(-clip, clip)
    return bad


def _rb(x: torch.Tensor) -> torch.Tensor:
    """float64 -> float32 -> bf16 (round to nearest even), back to float64: the tfjs engine's rb()."""
    return x.to(torch.float32).to(torch.bfloat16).to(torch.float64)


class Adam:
    def __init__(self):
        self.step = 0
        self.m: Dict[str, torch.Tensor] = {}
        self.v: Dict[str, torch.Tensor] = {}

    @torch.no_grad()
    def update(self, spec: dict, params: List[Tuple[str, torch.Tensor]], grads: Dict[str, torch.Tensor], bf16: bool) -> None:
        self.step += 1
        lr, b1, b2, eps = float(spec['lr']), float(spec['beta1']), float(spec['beta2']), float(spec['eps'])
        wd = float(spec.get('weight_decay') or 0)
        bc1 = 1 - math.pow(b1, self.step)
        bc2s = math.sqrt(1 - math.pow(b2, self.step))
        step_size = lr / bc1
        store = torch.bfloat16 if bf16 else torch.float32
        for name, p in params:
            g = grads.get(name)
            if g is None:
                continue
            g = g.to(torch.float64)
            if name not in self.m:
                self.m[name] = torch.zeros_like(p, dtype=store)
                self.v[name] = torch.zeros_like(p, dtype=store)
            m, v, p64 = self.m[name].to(torch.float64), self.v[name].to(torch.float64), p.to(torch.float64)
            if not bf16:
                gi = g + wd * p64 if wd else g
                m = (b1 * m + (1 - b1) * gi).to(torch.float32).to(torch.float64)
                v = (b2 * v + (1 - b2) * gi * gi).to(torch.float32).to(torch.float64)
                newp = p64 - (step_size * m) / (torch.sqrt(v) / bc2s + eps)
            else:
                g = _rb(g)
                gi = _rb(g + wd * p64) if wd else g
                m = _rb(m + (1 - b1) * (gi - m))
                v = _rb(_rb(v * b2) + (1 - b2) * gi * gi)
                d = _rb(_rb(_rb(torch.sqrt(v)) / bc2s) + eps)
                newp = _rb(p64 - (step_size * m) / d)
            self.m[name] = m.to(store)
            self.v[name] = v.to(store)
            p.copy_(newp.to(torch.float32).to(p.dtype))
