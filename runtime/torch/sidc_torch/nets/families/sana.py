"""SanaTransformer2DModel (diffusers models/transformers/sana_transformer.py; runtime/tfjs/families/sana.ts):
patch embedding without positions (sin-cos when interpolation_scale is set), AdaLayerNormSingle timestep
(per-block scale_shift_table) or SANA-Sprint's timestep + guidance embedder, caption projection + RMS
caption norm, blocks of ReLU linear self-attention, softmax cross-attention to the caption (padding
masked), GLU Mix-FFN (1x1 conv, depthwise 3x3 conv, SiLU gate, 1x1 conv); final modulated LayerNorm,
proj_out, unpatchify.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..checkpointing import run_block
from ..layers import Attention, RMSNorm, TextProjection, TimestepEmbedding, layer_norm, mask_bias, merge_heads, modulate, sdpa, \
    sincos_pos_embed_2d, timestep_sinusoid, unpatchify
from .base import FamilyInputs, FamilyNet
from .config import hidden_of


def linear_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """ReLU-kernel linear attention (SanaLinearAttnProcessor2_0) on heads [B, H, N, dh], in float32:
    out_n = sum_m v_m (k_m . q_n) / (sum_m k_m . q_n + 1e-15)."""
    dtype = q.dtype
    q, k, v = F.relu(q.float()), F.relu(k.float()), v.float()
    kv = k.transpose(-1, -2) @ v  # [B, H, dh, dh]
    num = q @ kv
    den = (q * k.sum(2, keepdim=True)).sum(-1, keepdim=True)
    return (num / (den + 1e-15)).to(dtype)


class GLUMBConv(nn.Module):
    """GLUMBConv(residual_connection=False) on tokens [B, gh*gw, D] of a gh x gw grid."""

    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.conv_inverted = nn.Conv2d(dim, 2 * hidden, 1)
        self.conv_depth = nn.Conv2d(2 * hidden, 2 * hidden, 3, 1, 1, groups=2 * hidden)
        self.conv_point = nn.Conv2d(hidden, dim, 1, bias=False)

    def forward(self, x: torch.Tensor, gh: int, gw: int) -> torch.Tensor:
        b, n, d = x.shape
        y = self.conv_depth(F.silu(self.conv_inverted(x.transpose(1, 2).reshape(b, d, gh, gw))))
        val, gate = y.chunk(2, dim=1)
        return self.conv_point(val * F.silu(gate)).flatten(2).transpose(1, 2)


class SanaBlock(nn.Module):
    """SanaTransformerBlock: modulated linear self-attention, cross-attention, modulated Mix-FFN."""

    def __init__(self, c: Dict[str, Any]):
        super().__init__()
        d = hidden_of(c)
        self.norm_eps = c['norm_eps']
        self.attn1 = Attention(d, c['num_attention_heads'], c['attention_head_dim'], qkv_bias=c['attention_bias'], qk_norm=c['qk_norm'], eps=1e-5)
        self.attn2 = Attention(d, c['num_cross_attention_heads'], c['cross_attention_head_dim'], kv_dim=c['cross_attention_dim'],
                               qk_norm=c['qk_norm'], eps=1e-5)
        self.norm2 = nn.LayerNorm(d, eps=c['norm_eps'], elementwise_affine=c['norm_elementwise_affine'])
        self.ff = GLUMBConv(d, int(c['mlp_ratio'] * d))
        self.scale_shift_table = nn.Parameter(torch.zeros(6, d))

    def forward(self, x: torch.Tensor, y: torch.Tensor, bias: Optional[torch.Tensor], t6: torch.Tensor, gh: int, gw: int) -> torch.Tensor:
        sh1, sc1, g1, sh2, sc2, g2 = (self.scale_shift_table[None] + t6).unbind(1)
        n1 = modulate(layer_norm(x, self.norm_eps), sh1, sc1)
        q, k, v = self.attn1.qkv(n1)
        x = x + g1[:, None] * self.attn1.to_out[0](merge_heads(linear_attention(q, k, v)))
        q, k, v = self.attn2.qkv(x, y)
        x = x + self.attn2.to_out[0](merge_heads(sdpa(q, k, v, bias)))
        n2 = modulate(self.norm2(x), sh2, sc2)
        return x + g2[:, None] * self.ff(n2, gh, gw)


class SanaNet(FamilyNet):
    """SANA (rectified flow) and SANA-Sprint (guidance_embeds + qk-norm; TrigFlow-trained, objective trigflow)."""

    def __init__(self, config: Dict[str, Any], text, latent: Tuple[int, int], guidance: float = 1.0, objective: str = 'rectified_flow'):
        c = config
        super().__init__(c, text, latent, guidance, objective)
        d, p = hidden_of(c), c['patch_size']
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(c['in_channels'], d, p, p)
        self.time_embed = nn.Module()
        if c['guidance_embeds']:  # SanaCombinedTimestepGuidanceEmbeddings (SANA-Sprint)
            self.time_embed.timestep_embedder = TimestepEmbedding(256, d)
            self.time_embed.guidance_embedder = TimestepEmbedding(256, d)
        else:  # AdaLayerNormSingle -> PixArtAlphaCombinedTimestepSizeEmbeddings
            self.time_embed.emb = nn.Module()
            self.time_embed.emb.timestep_embedder = TimestepEmbedding(256, d)
        self.time_embed.linear = nn.Linear(d, 6 * d)
        self.caption_projection = TextProjection(c['caption_channels'], d, 'gelu_tanh')
        self.caption_norm = RMSNorm(d, 1e-5)
        self.transformer_blocks = nn.ModuleList([SanaBlock(c) for _ in range(c['num_layers'])])
        self.scale_shift_table = nn.Parameter(torch.zeros(2, d))
        self.proj_out = nn.Linear(d, p * p * c['out_channels'])

    def latent_channels(self) -> int:
        return self.family_config['in_channels']

    def spatial_multiple(self) -> int:
        return self.family_config['patch_size']

    def text_dims(self) -> Tuple[int, int]:
        return self.family_config['caption_channels'], 0

    def transformer(self, inp: FamilyInputs, features_only: bool = False) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        c = self.family_config
        b, _, hh, ww = inp.x.shape
        p, d = c['patch_size'], hidden_of(c)
        gh, gw = hh // p, ww // p
        dtype = inp.x.dtype
        # 1. input: PatchEmbed (a stride-p conv)
        x = self.patch_embed.proj(inp.x).flatten(2).transpose(1, 2)
        if c['interpolation_scale'] is not None:
            x = x + sincos_pos_embed_2d(d, gh, gw, c['sample_size'] / p, c['interpolation_scale']).to(x)[None]
        # AdaLayerNormSingle (or SANA-Sprint's timestep + guidance embedder): 6D modulation + embedded timestep
        if c['guidance_embeds']:
            emb = self.time_embed.timestep_embedder(timestep_sinusoid(inp.timestep).to(dtype)) + \
                self.time_embed.guidance_embedder(timestep_sinusoid(inp.guidance).to(dtype))
        else:
            emb = self.time_embed.emb.timestep_embedder(timestep_sinusoid(inp.timestep).to(dtype))
        t6 = self.time_embed.linear(F.silu(emb)).reshape(b, 6, d)
        y = self.caption_norm(self.caption_projection(inp.text))
        bias = None if inp.mask is None else mask_bias(inp.mask).to(dtype)
        # 2. blocks
        for blk in self.transformer_blocks:
            x = run_block(self, blk, x, y, bias, t6, gh, gw)
        # 3. SanaModulatedNorm: shift, scale = scale_shift_table + embedded timestep
        shift, scale = (self.scale_shift_table[None] + emb[:, None]).unbind(1)
        features = modulate(layer_norm(x), shift, scale)
        if features_only:
            return features, None
        return features, unpatchify(self.proj_out(features), p, c['out_channels'], hh, ww)
