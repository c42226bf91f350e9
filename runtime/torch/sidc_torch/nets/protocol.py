"""The contract every velocity network of the torch engine meets (the torch twin of runtime/tfjs/nets/net.ts).

A net is a ``torch.nn.Module`` with:

* ``kind: str`` - the family name ('gmm', 'mlp', 'dit', 'sana', ...), written into saved nets' metadata;
* ``null_condition: int`` - the condition index of CFG's unconditional branch;
* ``config: dict`` - hyper-parameters that rebuild the same architecture (saved with the net);
* ``forward(x, t, c) -> v``: x [B, D] float32 (latents flattened), t [B] float32 already multiplied by
  the teacher's time_scale, c [B] int64 condition index; returns v [B, D] (v ~ eps - x0,
  docs/algorithm.md §1);
* optional ``features(x, t, c) -> [B, N, Dh]``: final-norm token features for the adversarial
  discriminator (docs/algorithm.md §6);
* optional attribute ``guidance: float`` for nets with a guidance embedder: embedded guidance sets it
  for one pass and restores it afterwards (sampling.py).

Parameter names ARE the checkpoint keys and must equal the tfjs engine's parameter names, so a student
exported by either engine loads in the other: a net whose ``named_parameters()`` names differ (torch
forbids '.' in ParameterDict keys) offers ``named_weights() -> [(tfjs name, Parameter)]``;
``checkpoint_params(net)`` below is what the engine uses (trained parameters, checkpoints, students).
A net that must also export frozen parts (e.g. a text encoder) offers ``export_tensors() -> {name: tensor}``. Nets
register themselves in ``nets/__init__.py`` as ``family -> builder``; a builder is
``builder(spec: NetSpec) -> Net``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Protocol, runtime_checkable

import torch


@runtime_checkable
class VelocityNet(Protocol):
    kind: str
    null_condition: int
    config: Dict[str, Any]

    def forward(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor) -> torch.Tensor: ...


@dataclass
class NetSpec:
    """What a builder gets: the graph (for config values), how to initialise, and where."""
    graph: Dict[str, Any]
    # 'scratch' (seeded init), or tensors {name: tensor} to copy (a checkpoint, an earlier stage)
    init: str = 'scratch'
    tensors: Optional[Dict[str, torch.Tensor]] = None
    # seed for 'scratch' (the tfjs engine derives Rng.derive(seed, 'init:<net name>'))
    seed: int = 0
    name: str = ''
    trainable: bool = True
    device: str = 'cpu'
    extra: Dict[str, Any] = field(default_factory=dict)


Builder = Callable[[NetSpec], torch.nn.Module]


def has_features(net: torch.nn.Module) -> bool:
    return callable(getattr(net, 'features', None))


def has_guidance_embedding(net: torch.nn.Module) -> bool:
    cfg = getattr(net, 'config', {}) or {}
    return isinstance(getattr(net, 'guidance', None), (int, float)) and cfg.get('guidance_embeds') in (True, 'true')


def checkpoint_params(net: torch.nn.Module):
    """[(checkpoint name, Parameter)] of a net: ``named_weights()`` when it has one, else named_parameters()."""
    nw = getattr(net, 'named_weights', None)
    return list(nw()) if callable(nw) else list(net.named_parameters())
