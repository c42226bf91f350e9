"""Adam as runtime/tfjs/optim/adam.ts (docs/algorithm.md §5): beta1 = 0 allowed, bias-corrected as
torch.optim.Adam, optional L2 weight decay, constant lr; the gradient first goes through nan_to_num
(NaN -> 0, +-inf -> +-1e5) and the optional value clip. float32 torch ops in adam.ts's order, which is
torch.optim.Adam's (so fp32 gives its bits; adam.ts, in float64 rounded once, agrees to a few ulps):
  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p = p - (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps)
bf16 storage rounds after every elementwise op of torch's bf16 Adam, in float64 between (adam.ts's bits):
  m = r(lerp(m, g, 1 - b1)); v = r(r(v b2) + (1 - b2) g^2); d = r(r(r(sqrt v) / sqrt(bc2)) + eps);
  p = r(p - lr / bc1 * m / d).
hardware.offload = cpu (``Adam(device='cpu')``): m and v live in host memory and the step runs there on host copies
of the gradient and the weights, which are then copied back - the same ops on the same values, so a run gives the
same bits as without offload; on a cpu device the copies are the tensors themselves."""
from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

import torch


def sanitize_grad(g: torch.Tensor, clip) -> int:
    """In place; returns how many entries were non-finite."""
    bad = int((~torch.isfinite(g)).sum().item())
    if bad:
        torch.nan_to_num_(g, nan=0.0, posinf=1e5, neginf=-1e5)
    if clip is not None:
        g.clamp_(-clip, clip)
    return bad


def sanitize_grads(gs: List[torch.Tensor], clip) -> int:
    """sanitize_grad on every gradient with one host sync instead of one per tensor: a finite norm means finite
    entries (NaN and inf propagate into it), so only tensors with a non-finite norm are counted and cleaned."""
    if not gs:
        return 0
    finite = torch.stack(torch._foreach_norm(gs)).isfinite().tolist()
    bad = sum(sanitize_grad(g, None) for g, ok in zip(gs, finite) if not ok)
    if clip is not None:
        for g in gs:
            g.clamp_(-clip, clip)
    return bad


def _rb(x: torch.Tensor) -> torch.Tensor:
    """float64 -> float32 -> bf16 (round to nearest even), back to float64: the tfjs engine's rb()."""
    return x.to(torch.float32).to(torch.bfloat16).to(torch.float64)


class Adam:
    def __init__(self, device: Optional[str] = None):
        self.device = device  # where m and v live and the step runs; None: with each parameter
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
        live = [(n, p, grads[n]) for n, p in params if grads.get(n) is not None]
        for n, p, _ in live:
            if n not in self.m:
                self.m[n] = torch.zeros_like(p, dtype=store, device=self.device or p.device)
                self.v[n] = torch.zeros_like(p, dtype=store, device=self.device or p.device)
        if not live:
            return
        names = [n for n, _, _ in live]
        targets = [p for _, p, _ in live]
        # offload: host copies (.to returns the tensor itself when it is already there)
        ps = [p.to(self.device) for p in targets] if self.device else targets
        gs = [g.to(self.device) for _, _, g in live] if self.device else [g for _, _, g in live]
        ms, vs = [self.m[n] for n in names], [self.v[n] for n in names]
        if bf16:
            for p, g, m, v in zip(ps, gs, ms, vs):
                _bf16_step(p, g, m, v, b1, b2, eps, wd, bc2s, step_size)
        else:
            _fp32_step(ps, gs, ms, vs, b1, b2, eps, wd, bc2s, step_size)
        for p, h in zip(targets, ps):
            if h is not p:
                p.copy_(h)


def _fp32_step(ps, gs, ms, vs, b1, b2, eps, wd, bc2s, step_size):
    """fp32: one foreach op per line of adam.ts over every parameter."""
    if wd:
        gs = torch._foreach_add(gs, ps, alpha=wd)
    torch._foreach_mul_(ms, b1)
    torch._foreach_add_(ms, gs, alpha=1 - b1)
    torch._foreach_mul_(vs, b2)
    torch._foreach_addcmul_(vs, gs, gs, value=1 - b2)
    d = torch._foreach_sqrt(vs)
    torch._foreach_div_(d, bc2s)
    torch._foreach_add_(d, eps)
    torch._foreach_addcdiv_(ps, ms, d, value=-step_size)


def _bf16_step(p, g, m, v, b1, b2, eps, wd, bc2s, step_size):
    """One parameter in bf16 storage (p, m, v bf16; g float32), in float64 between the roundings as adam.ts:
    float32 intermediates would round differently (with beta1 = 0, m + (g - m) is not g for ~6% of m's
    values), so bf16 keeps the emulation's bits and pays float64 temporaries."""
    g = _rb(g.to(torch.float64))
    p64 = p.to(torch.float64)
    gi = _rb(g + wd * p64) if wd else g
    m64 = m.to(torch.float64)
    m64 = _rb(m64 + (1 - b1) * (gi - m64))
    v64 = _rb(_rb(v.to(torch.float64) * b2) + (1 - b2) * gi * gi)
    d = _rb(_rb(_rb(torch.sqrt(v64)) / bc2s) + eps)
    m.copy_(m64)
    v.copy_(v64)
    p.copy_(_rb(p64 - (step_size * m64) / d))
