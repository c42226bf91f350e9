"""What the three family transformers share as engine velocity nets (runtime/tfjs/families/net.ts): x is the
flattened latent [B, C*H*W], t the timestep already multiplied by time_scale, c the row of the text table
to condition on; ``null_condition`` is the empty prompt's row. ``guidance`` is the embedded guidance value
(FLUX.1-dev; SANA-Sprint) - the generator keeps 1.0 (docs/algorithm.md §3).

A subclass builds diffusers' module tree in ``__init__`` (so ``state_dict()`` keys are diffusers' names,
the checkpoint keys of both engines) and implements ``transformer``: diffusers' forward on [B, C, H, W]
latents, which can stop after the final norm (the adversarial stage's features, docs/algorithm.md §6).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

import torch
import torch.nn as nn

from .config import config_entries
from .text import TextTable
from .trigflow import rectified_flow_velocity, sana_sprint_trigflow

if TYPE_CHECKING:
    from .encoded_text import EncodedText


class FamilyInputs:
    """The transformer's inputs: latents x [B, C, H, W]; timestep [B] (t x time_scale); text [B, L, text_dim];
    mask [B, L] 0/1 (SANA only); pooled [B, P] (SD3, FLUX); guidance [B] (guidance embedders)."""

    def __init__(self, x: torch.Tensor, timestep: torch.Tensor, text: torch.Tensor, mask: Optional[torch.Tensor],
                 pooled: Optional[torch.Tensor], guidance: torch.Tensor):
        self.x, self.timestep, self.text, self.mask, self.pooled, self.guidance = x, timestep, text, mask, pooled, guidance


class FamilyNet(nn.Module):
    """Base of SanaNet, SD3Net, FluxNet. ``config``: the parsed diffusers config (families/config.py)."""

    gradient_checkpointing = False  # set per stage from hardware.gradient_checkpointing (nets/checkpointing.py)

    def __init__(self, config: Dict[str, Any], text: TextTable | EncodedText, latent: Tuple[int, int], guidance: float = 1.0,
                 objective: str = 'rectified_flow'):
        super().__init__()
        family = config['family']
        self.kind = family
        self.family_config = dict(config)
        h, w = latent
        m = self.spatial_multiple()
        if h % m or w % m:
            raise ValueError(f'{family}: latent {h}x{w} must be a multiple of {m}')
        seq, pooled = self.text_dims()
        if text.seq_dim != seq:
            raise ValueError(f'{family}: text encodings are {text.seq_dim}-wide, the transformer takes {seq}')
        if pooled and text.pooled_dim != pooled:
            raise ValueError(f'{family}: needs {pooled}-wide pooled text embeddings')
        if objective not in ('rectified_flow', 'trigflow'):
            raise ValueError(f'{family}: objective {objective!r} is not rectified_flow or trigflow')
        self.text = text
        self.latent = (h, w)
        self.null_condition = text.null_index
        self.guidance = float(guidance)
        self.objective = objective
        self.config: Dict[str, Any] = config_entries(config, h, w)

    # ---- what a family defines
    def latent_channels(self) -> int:
        raise NotImplementedError

    def spatial_multiple(self) -> int:
        raise NotImplementedError

    def text_dims(self) -> Tuple[int, int]:
        """(sequence width, pooled width or 0)."""
        raise NotImplementedError

    def transformer(self, inp: FamilyInputs, features_only: bool = False) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """diffusers' forward: (final-norm image tokens [B, N, D], velocity [B, C_out, H, W] or None)."""
        raise NotImplementedError

    # ---- the engine interface
    @property
    def dim(self) -> int:
        """C*H*W of one latent."""
        return self.latent_channels() * self.latent[0] * self.latent[1]

    def compute_dtype(self) -> torch.dtype:
        return next(self.parameters()).dtype

    def inputs(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor) -> FamilyInputs:
        """The transformer's inputs for flat latents x [B, C*H*W], timesteps t [B] and condition rows c [B]."""
        b = x.shape[0]
        dtype = self.compute_dtype()
        seq, mask, pooled = self.text.rows(c, x.device, dtype)
        fc = self.family_config
        # SANA-Sprint's pipeline multiplies the guidance scale by guidance_embeds_scale (0.1) before the
        # transformer; FLUX's transformer itself multiplies by 1000 (docs/algorithm.md §7)
        g = self.guidance * fc['guidance_embeds_scale'] if fc['family'] == 'sana' else self.guidance
        return FamilyInputs(x.reshape(b, self.latent_channels(), *self.latent).to(dtype), t, seq,
                            mask if fc['family'] == 'sana' else None, pooled,
                            torch.full((b,), g, dtype=torch.float32, device=x.device))

    def forward(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """v(x, t, c): x [B, C*H*W], t [B] (x time_scale), c [B] prompt rows -> [B, C*H*W] in x's dtype.
        A TrigFlow teacher (objective trigflow, time_scale 1) is called through the TrigFlow <->
        rectified-flow map of docs/algorithm.md §1 (trigflow.py)."""
        b = x.shape[0]

        def raw(xi: torch.Tensor, ti: torch.Tensor) -> torch.Tensor:
            return self.transformer(self.inputs(xi, ti, c))[1].reshape(b, -1).to(x.dtype)

        if self.objective == 'trigflow':
            return rectified_flow_velocity(sana_sprint_trigflow(raw), x, t)
        return raw(x, t)

    def features(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """Discriminator features of docs/algorithm.md §6: image tokens after the final norm [B, N, D]
        (the plain transformer pass, as the tfjs engine takes them)."""
        return self.transformer(self.inputs(x, t, c), features_only=True)[0].to(x.dtype)
