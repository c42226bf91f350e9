"""TrigFlow (SANA-Sprint teachers) seen as rectified flow, docs/algorithm.md §1 (runtime/tfjs/families/trigflow.ts).

SiD-DiT works in the rectified-flow view x_rf = (1 - t) x0 + t eps, t in [0, 1]. A TrigFlow model lives at
x_trig = cos(s) sigma_d x0 + sin(s) sigma_d eps, s in [0, pi/2], and predicts F(x_trig / sigma_d, s) =
cos(s) eps - sin(s) x0. The views are tied by t = sin s / (sin s + cos s) and
x_rf = x_trig / sigma_d * sqrt(t^2 + (1 - t)^2). SANA-Sprint's transformer is itself called in the flow view
by its TrigFlow wrapper (diffusers SanaSprintPipeline): ``sana_sprint_trigflow`` is that wrapper, and
``rectified_flow_velocity`` maps any TrigFlow prediction back to v = eps - x0.
"""
from __future__ import annotations

from typing import Callable

import torch

# F(y, s): y = x_trig / sigma_d [B, D], s [B] -> [B, D]
TrigflowModel = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _col(v: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return v.reshape(-1, *([1] * (like.dim() - 1)))


def rectified_flow_velocity(model: TrigflowModel, x_rf: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Velocity at (x_rf [B, D], t [B]) of a TrigFlow model. With y = cos s x0 + sin s eps and
    F = cos s eps - sin s x0: v = eps - x0 = (sin s - cos s) y + (sin s + cos s) F. Differentiable in x_rf."""
    s = torch.atan2(t, 1 - t)
    sin, cos = _col(torch.sin(s), x_rf), _col(torch.cos(s), x_rf)
    norm = _col(torch.sqrt(t * t + (1 - t) * (1 - t)), x_rf)
    y = x_rf / norm
    f = model(y, s)
    return (sin - cos) * y + (sin + cos) * f


def sana_sprint_trigflow(transformer: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> TrigflowModel:
    """SANA-Sprint's TrigFlow model around its flow-view transformer: t' = sin s / (sin s + cos s),
    x' = y sqrt(t'^2 + (1 - t')^2), out = transformer(x', t'),
    F = ((1 - 2t') x' + (1 - 2t' + 2t'^2) out) / sqrt(t'^2 + (1 - t')^2)."""

    def model(y: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        tp = torch.sin(s) / (torch.sin(s) + torch.cos(s))
        tc = _col(tp, y)
        norm = torch.sqrt(tc * tc + (1 - tc) * (1 - tc))
        x = y * norm
        out = transformer(x, tp)
        a = 1 - 2 * tc
        b = a + 2 * tc * tc
        return (a * x + b * out) / norm

    return model
