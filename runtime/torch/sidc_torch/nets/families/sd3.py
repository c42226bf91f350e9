"""SD3Transformer2DModel (diffusers models/transformers/transformer_sd3.py + JointTransformerBlock +
JointAttnProcessor2_0; runtime/tfjs/families/sd3.ts): PatchEmbed with a cropped position table, timestep +
pooled-text conditioning, context_embedder, MMDiT blocks (joint attention over [image; text] with
per-stream projections, optional per-head RMS qk-norm; SD3.5-Medium's extra image-only attention in
``dual_attention_layers`` (AdaLayerNormZeroX); the last block is context_pre_only), AdaLayerNormContinuous,
proj_out, unpatchify.

``pos_embed.pos_embed`` is a parameter here, not a buffer as in diffusers: the tfjs engine holds it as a
trainable variable, and both engines must update the same tensors.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..checkpointing import run_block
from ..layers import AdaLNLinear, Attention, FeedForward, TextProjection, TimestepEmbedding, layer_norm, modulate, timestep_sinusoid, \
    unpatchify
from .base import FamilyInputs, FamilyNet
from .config import hidden_of


def cropped_pos_embed(table: torch.Tensor, max_size: int, gh: int, gw: int) -> torch.Tensor:
    """PatchEmbed.cropped_pos_embed: the centre gh x gw window of the max x max table [1, max*max, D] -> [1, gh*gw, D]."""
    if gh > max_size or gw > max_size:
        raise ValueError(f'latent grid {gh}x{gw} exceeds pos_embed_max_size {max_size}')
    top, left = (max_size - gh) // 2, (max_size - gw) // 2
    return table.reshape(1, max_size, max_size, -1)[:, top:top + gh, left:left + gw, :].reshape(1, gh * gw, -1)


class JointBlock(nn.Module):
    """JointTransformerBlock i of ``layers``: AdaLayerNormZero(X) for the image stream, AdaLayerNormZero or
    (last block) AdaLayerNormContinuous for the text stream."""

    def __init__(self, c: Dict[str, Any], i: int):
        super().__init__()
        d, h, dh = hidden_of(c), c['num_attention_heads'], c['attention_head_dim']
        self.last = i == c['num_layers'] - 1
        self.dual = i in c['dual_attention_layers']
        self.norm1 = AdaLNLinear(d, 9 if self.dual else 6)
        self.norm1_context = AdaLNLinear(d, 2 if self.last else 6)
        self.attn = Attention(d, h, dh, qk_norm=c['qk_norm'], added=True, add_out=not self.last)
        if self.dual:
            self.attn2 = Attention(d, h, dh, qk_norm=c['qk_norm'])
        self.ff = FeedForward(d, 4 * d)
        if not self.last:
            self.ff_context = FeedForward(d, 4 * d)

    def forward(self, x: torch.Tensor, y: torch.Tensor, st: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """x [B, N, D] image, y [B, L, D] text, st = SiLU(temb) [B, D]."""
        m = self.norm1(st)
        nx = layer_norm(x)
        if self.last:
            scale, shift = self.norm1_context(st)  # AdaLayerNormContinuous: scale first
            ny = modulate(layer_norm(y), shift, scale)
        else:
            cm = self.norm1_context(st)
            ny = modulate(layer_norm(y), cm[0], cm[1])
        ax, ay = self.attn.joint(modulate(nx, m[0], m[1]), ny, text_first=False)
        x = x + m[2][:, None] * ax
        if self.dual:
            x = x + m[8][:, None] * self.attn2.self_attention(modulate(nx, m[6], m[7]))
        x = x + m[5][:, None] * self.ff(modulate(layer_norm(x), m[3], m[4]))
        if self.last:
            return x, y
        y = y + cm[2][:, None] * ay
        y = y + cm[5][:, None] * self.ff_context(modulate(layer_norm(y), cm[3], cm[4]))
        return x, y


class SD3Net(FamilyNet):
    """SD3 / SD3.5 (MMDiT), rectified flow."""

    def __init__(self, config: Dict[str, Any], text, latent: Tuple[int, int], guidance: float = 1.0, objective: str = 'rectified_flow'):
        super().__init__(config, text, latent, guidance, objective)
        c = config
        d, p, big = hidden_of(c), c['patch_size'], c['pos_embed_max_size']
        self.pos_embed = nn.Module()
        self.pos_embed.proj = nn.Conv2d(c['in_channels'], d, p, p)
        self.pos_embed.pos_embed = nn.Parameter(torch.zeros(1, big * big, d))
        self.time_text_embed = nn.Module()
        self.time_text_embed.timestep_embedder = TimestepEmbedding(256, d)
        self.time_text_embed.text_embedder = TextProjection(c['pooled_projection_dim'], d, 'silu')
        self.context_embedder = nn.Linear(c['joint_attention_dim'], c['caption_projection_dim'])
        self.transformer_blocks = nn.ModuleList([JointBlock(c, i) for i in range(c['num_layers'])])
        self.norm_out = AdaLNLinear(d, 2)
        self.proj_out = nn.Linear(d, p * p * c['out_channels'])

    def latent_channels(self) -> int:
        return self.family_config['in_channels']

    def spatial_multiple(self) -> int:
        return self.family_config['patch_size']

    def text_dims(self) -> Tuple[int, int]:
        return self.family_config['joint_attention_dim'], self.family_config['pooled_projection_dim']

    def transformer(self, inp: FamilyInputs, features_only: bool = False) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        c = self.family_config
        _, _, hh, ww = inp.x.shape
        p = c['patch_size']
        if inp.pooled is None:
            raise ValueError('SD3 needs the pooled text embedding')
        x = self.pos_embed.proj(inp.x).flatten(2).transpose(1, 2)
        x = x + cropped_pos_embed(self.pos_embed.pos_embed, c['pos_embed_max_size'], hh // p, ww // p)
        # CombinedTimestepTextProjEmbeddings: timestep embedding + pooled text projection (SiLU)
        temb = self.time_text_embed.timestep_embedder(timestep_sinusoid(inp.timestep).to(inp.x.dtype)) + \
            self.time_text_embed.text_embedder(inp.pooled)
        st = F.silu(temb)
        y = self.context_embedder(inp.text)
        for blk in self.transformer_blocks:
            x, y = run_block(self, blk, x, y, st)
        scale, shift = self.norm_out(st)
        features = modulate(layer_norm(x), shift, scale)
        if features_only:
            return features, None
        return features, unpatchify(self.proj_out(features), p, c['out_channels'], hh, ww)
