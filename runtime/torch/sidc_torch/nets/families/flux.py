"""FluxTransformer2DModel (diffusers models/transformers/transformer_flux.py; runtime/tfjs/families/flux.ts):
x_embedder on packed 2x2 latents (C*4-channel tokens), timestep (x1000 inside) + guidance (x1000) + pooled
CLIP conditioning, double-stream blocks (joint attention over [text; image] with RMS qk-norm and 3-axis
RoPE), single-stream blocks (parallel attention + MLP on the concatenated sequence),
AdaLayerNormContinuous, proj_out, unpack.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..checkpointing import run_block
from ..layers import AdaLNLinear, Attention, FeedForward, TextProjection, TimestepEmbedding, apply_rope, layer_norm, merge_heads, modulate, \
    patchify, rope_tables, sdpa, timestep_sinusoid, unpatchify_cpq
from .base import FamilyInputs, FamilyNet
from .config import hidden_of

Rope = Callable[[torch.Tensor], torch.Tensor]


def flux_ids(text_len: int, gh: int, gw: int) -> torch.Tensor:
    """txt_ids (zeros, L rows) then img_ids (0, row, col) of the packed gh x gw grid: [L + gh*gw, 3]."""
    img = torch.zeros(gh, gw, 3, dtype=torch.float64)
    img[..., 1] = torch.arange(gh, dtype=torch.float64)[:, None]
    img[..., 2] = torch.arange(gw, dtype=torch.float64)[None, :]
    return torch.cat([torch.zeros(text_len, 3, dtype=torch.float64), img.reshape(-1, 3)])


class FluxDoubleBlock(nn.Module):
    """FluxTransformerBlock: per-stream AdaLayerNormZero, joint attention (text first), per-stream FFs."""

    def __init__(self, d: int, heads: int, head_dim: int):
        super().__init__()
        self.norm1 = AdaLNLinear(d, 6)
        self.norm1_context = AdaLNLinear(d, 6)
        self.attn = Attention(d, heads, head_dim, qk_norm='rms_norm', added=True)
        self.ff = FeedForward(d, 4 * d)
        self.ff_context = FeedForward(d, 4 * d)

    def forward(self, x: torch.Tensor, y: torch.Tensor, st: torch.Tensor, rope: Rope) -> Tuple[torch.Tensor, torch.Tensor]:
        m, cm = self.norm1(st), self.norm1_context(st)
        ax, ay = self.attn.joint(modulate(layer_norm(x), m[0], m[1]), modulate(layer_norm(y), cm[0], cm[1]), text_first=True, rope=rope)
        x = x + m[2][:, None] * ax
        x = x + m[5][:, None] * self.ff(modulate(layer_norm(x), m[3], m[4]))
        y = y + cm[2][:, None] * ay
        y = y + cm[5][:, None] * self.ff_context(modulate(layer_norm(y), cm[3], cm[4]))
        return x, y


class FluxSingleBlock(nn.Module):
    """FluxSingleTransformerBlock: AdaLayerNormZeroSingle (shift, scale, gate), attention and MLP in parallel."""

    def __init__(self, d: int, heads: int, head_dim: int):
        super().__init__()
        self.norm = AdaLNLinear(d, 3)
        self.proj_mlp = nn.Linear(d, 4 * d)
        self.proj_out = nn.Linear(5 * d, d)
        self.attn = Attention(d, heads, head_dim, qk_norm='rms_norm', out=False)

    def forward(self, x: torch.Tensor, st: torch.Tensor, rope: Rope) -> torch.Tensor:
        shift, scale, gate = self.norm(st)
        n = modulate(layer_norm(x), shift, scale)
        mlp = F.gelu(self.proj_mlp(n), approximate='tanh')
        q, k, v = self.attn.qkv(n)
        a = merge_heads(sdpa(rope(q), rope(k), v))
        return x + gate[:, None] * self.proj_out(torch.cat([a, mlp], -1))


class FluxNet(FamilyNet):
    """FLUX.1 (rectified flow; -dev with its guidance embedder)."""

    def __init__(self, config: Dict[str, Any], text, latent: Tuple[int, int], guidance: float = 1.0, objective: str = 'rectified_flow'):
        super().__init__(config, text, latent, guidance, objective)
        c = config
        d, h, dh = hidden_of(c), c['num_attention_heads'], c['attention_head_dim']
        self.x_embedder = nn.Linear(c['in_channels'], d)
        self.context_embedder = nn.Linear(c['joint_attention_dim'], d)
        self.time_text_embed = nn.Module()
        self.time_text_embed.timestep_embedder = TimestepEmbedding(256, d)
        if c['guidance_embeds']:
            self.time_text_embed.guidance_embedder = TimestepEmbedding(256, d)
        self.time_text_embed.text_embedder = TextProjection(c['pooled_projection_dim'], d, 'silu')
        self.transformer_blocks = nn.ModuleList([FluxDoubleBlock(d, h, dh) for _ in range(c['num_layers'])])
        self.single_transformer_blocks = nn.ModuleList([FluxSingleBlock(d, h, dh) for _ in range(c['num_single_layers'])])
        self.norm_out = AdaLNLinear(d, 2)
        self.proj_out = nn.Linear(d, c['patch_size'] ** 2 * c['out_channels'])

    def latent_channels(self) -> int:
        return self.family_config['in_channels'] // 4

    def spatial_multiple(self) -> int:
        return 2

    def text_dims(self) -> Tuple[int, int]:
        return self.family_config['joint_attention_dim'], self.family_config['pooled_projection_dim']

    def transformer(self, inp: FamilyInputs, features_only: bool = False) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        c = self.family_config
        _, ch, hh, ww = inp.x.shape
        if hh % 2 or ww % 2:
            raise ValueError(f'FLUX packs 2x2 latent patches: latent {hh}x{ww} must be even')
        gh, gw, l = hh // 2, ww // 2, inp.text.shape[1]
        if inp.pooled is None:
            raise ValueError('FLUX needs the pooled text embedding')
        dtype = inp.x.dtype
        x = self.x_embedder(patchify(inp.x, 2))  # _pack_latents: features (c, py, px)
        temb = self.time_text_embed.timestep_embedder(timestep_sinusoid(inp.timestep * 1000).to(dtype))
        if c['guidance_embeds']:
            temb = temb + self.time_text_embed.guidance_embedder(timestep_sinusoid(inp.guidance * 1000).to(dtype))
        temb = temb + self.time_text_embed.text_embedder(inp.pooled)
        st = F.silu(temb)
        y = self.context_embedder(inp.text)
        cos, sin = rope_tables(flux_ids(l, gh, gw), c['axes_dims_rope'])
        cos, sin = cos.to(inp.x.device), sin.to(inp.x.device)
        rope: Rope = lambda heads: apply_rope(heads, cos, sin)  # noqa: E731
        for blk in self.transformer_blocks:
            x, y = run_block(self, blk, x, y, st, rope)
        xy = torch.cat([y, x], 1)
        for blk in self.single_transformer_blocks:
            xy = run_block(self, blk, xy, st, rope)
        scale, shift = self.norm_out(st)
        features = modulate(layer_norm(xy[:, l:]), shift, scale)
        if features_only:
            return features, None
        return features, unpatchify_cpq(self.proj_out(features), 2, ch, hh, ww)
