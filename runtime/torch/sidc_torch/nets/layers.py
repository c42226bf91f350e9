"""Building blocks of the image nets (DiT and the diffusers families), named after the diffusers modules
they reproduce (embeddings.py, normalization.py, attention.py, attention_processor.py) so that a module
tree built from them has diffusers' parameter names - the checkpoint keys both sidc engines use.

Plain nn.Modules and functions: no parallelism, no precision policy (the engine casts weights or wraps
calls). Shapes: B batch, N tokens, D hidden width, H heads, dh = D / H.
"""
from __future__ import annotations

import math
from typing import Callable, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- embeddings

def timestep_sinusoid(t: torch.Tensor, dim: int = 256, max_period: float = 10000.0, shift: float = 0.0) -> torch.Tensor:
    """diffusers ``get_timestep_embedding(t, dim, flip_sin_to_cos=True, downscale_freq_shift=shift)``.

    t [B] (already multiplied by the family's time scale) -> [B, dim] = [cos(t f), sin(t f)] with
    f_i = exp(-ln(max_period) i / (dim/2 - shift)). Built exactly as diffusers builds it - the exponent,
    exp, product and sin/cos all in float32 - so a table agrees with the reference bit for bit.
    """
    half = dim // 2
    exponent = -math.log(max_period) * torch.arange(0, half, dtype=torch.float32, device=t.device)
    exponent = exponent / (half - shift)
    emb = t[:, None].float() * torch.exp(exponent)[None, :]
    return torch.cat([torch.cos(emb), torch.sin(emb)], dim=-1)


class TimestepEmbedding(nn.Module):
    """diffusers TimestepEmbedding: linear_1 -> SiLU -> linear_2. [B, in] -> [B, D]."""

    def __init__(self, in_features: int, dim: int):
        super().__init__()
        self.linear_1 = nn.Linear(in_features, dim)
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_2(F.silu(self.linear_1(x)))


class TextProjection(nn.Module):
    """diffusers PixArtAlphaTextProjection: linear_1 -> GELU(tanh) or SiLU -> linear_2. [.., in] -> [.., D]."""

    def __init__(self, in_features: int, dim: int, act: str):
        super().__init__()
        if act not in ('gelu_tanh', 'silu'):
            raise ValueError(f'TextProjection: unknown activation {act!r}')
        self.act = act
        self.linear_1 = nn.Linear(in_features, dim)
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.linear_1(x)
        return self.linear_2(F.silu(h) if self.act == 'silu' else F.gelu(h, approximate='tanh'))


def sincos_pos_embed_2d(dim: int, gh: int, gw: int, base: float = 0.0, interpolation: float = 1.0) -> torch.Tensor:
    """2-D sin-cos position table [gh*gw, dim] (MAE / diffusers get_2d_sincos_pos_embed).

    The first half of the features encodes the column, the second the row. With ``base`` > 0, positions
    are scaled as diffusers' PatchEmbed scales them: pos / (grid / base) / interpolation. Built in float64,
    returned as float32 (as numpy builds it).
    """
    q = dim // 4
    ys, xs = np.meshgrid(np.arange(gh, dtype=np.float64), np.arange(gw, dtype=np.float64), indexing='ij')
    if base > 0:
        xs = xs / (gw / base) / interpolation
        ys = ys / (gh / base) / interpolation
    omega = 1.0 / np.power(10000.0, np.arange(q, dtype=np.float64) / q)

    def one(pos: np.ndarray) -> np.ndarray:
        a = pos.reshape(-1)[:, None] * omega[None, :]
        return np.concatenate([np.sin(a), np.cos(a)], axis=1)

    return torch.from_numpy(np.concatenate([one(xs), one(ys)], axis=1).astype(np.float32))


def rope_tables(ids: torch.Tensor, axes_dims: Sequence[int], theta: float = 10000.0) -> Tuple[torch.Tensor, torch.Tensor]:
    """cos and sin tables [S, sum(axes_dims)] for position ids [S, axes] (diffusers FluxPosEmbed:
    get_1d_rotary_pos_embed(repeat_interleave_real=True), built in float64 and returned as float32)."""
    cos, sin = [], []
    ids = ids.to(torch.float64)
    for a, d in enumerate(axes_dims):
        freqs = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.float64)[: d // 2] / d))
        ang = torch.outer(ids[:, a], freqs)
        cos.append(ang.cos().repeat_interleave(2, dim=1))
        sin.append(ang.sin().repeat_interleave(2, dim=1))
    return torch.cat(cos, -1).float(), torch.cat(sin, -1).float()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate interleaved pairs (x_2i, x_2i+1) of x [B, H, S, dh] by the tables cos/sin [S, dh]
    (diffusers apply_rotary_emb(use_real=True, use_real_unbind_dim=-1))."""
    xr, xi = x.reshape(*x.shape[:-1], -1, 2).unbind(-1)
    rot = torch.stack([-xi, xr], dim=-1).flatten(-2)
    return (x.float() * cos + rot.float() * sin).to(x.dtype)


# ---------------------------------------------------------------- patches

def patchify(x: torch.Tensor, p: int) -> torch.Tensor:
    """x [B, C, H, W] -> tokens [B, (H/p)(W/p), C*p*p], features ordered (c, py, px): the flattening of a
    Conv2d(C, D, p, stride=p) weight, and FLUX's _pack_latents order."""
    b, c, h, w = x.shape
    if h % p or w % p:
        raise ValueError(f'patchify: image {h}x{w} is not divisible by patch {p}')
    gh, gw = h // p, w // p
    return x.reshape(b, c, gh, p, gw, p).permute(0, 2, 4, 1, 3, 5).reshape(b, gh * gw, c * p * p)


def unpatchify(t: torch.Tensor, p: int, c: int, h: int, w: int) -> torch.Tensor:
    """tokens [B, N, p*p*C] with features ordered (py, px, c) - diffusers' proj_out order - -> [B, C, H, W]."""
    b = t.shape[0]
    gh, gw = h // p, w // p
    return t.reshape(b, gh, gw, p, p, c).permute(0, 5, 1, 3, 2, 4).reshape(b, c, h, w)


def unpatchify_cpq(t: torch.Tensor, p: int, c: int, h: int, w: int) -> torch.Tensor:
    """Inverse of ``patchify`` (features (c, py, px)): FLUX's _unpack_latents. [B, N, C*p*p] -> [B, C, H, W]."""
    b = t.shape[0]
    gh, gw = h // p, w // p
    return t.reshape(b, gh, gw, c, p, p).permute(0, 3, 1, 4, 2, 5).reshape(b, c, h, w)


# ---------------------------------------------------------------- norms and modulation

def layer_norm(x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """LayerNorm over the last axis without affine parameters (every adaLN layer's norm)."""
    return F.layer_norm(x, x.shape[-1:], eps=eps)


class RMSNorm(nn.Module):
    """diffusers RMSNorm: x / sqrt(mean(x^2) + eps) * weight over the last axis (statistics in float32)."""

    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        var = x.float().pow(2).mean(-1, keepdim=True)
        return (x.float() * torch.rsqrt(var + self.eps)).to(self.weight.dtype) * self.weight


def modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """x [B, N, D] * (1 + scale [B, D]) + shift [B, D]."""
    return x * (1 + scale[:, None]) + shift[:, None]


class AdaLNLinear(nn.Module):
    """The modulation Linear of an adaLN layer (AdaLayerNormZero / Continuous / ZeroSingle): its parameters
    are `linear.*`; SiLU(temb) [B, D] -> `chunks` vectors [B, D]. The caller passes SiLU(temb) once."""

    def __init__(self, dim: int, chunks: int, cond_dim: Optional[int] = None):
        super().__init__()
        self.chunks = chunks
        self.linear = nn.Linear(cond_dim or dim, chunks * dim)

    def forward(self, silu_temb: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        return self.linear(silu_temb).chunk(self.chunks, dim=-1)


class FeedForward(nn.Module):
    """diffusers FeedForward(activation_fn="gelu-approximate"): net.0.proj -> GELU(tanh) -> net.2."""

    def __init__(self, dim: int, hidden: int):
        super().__init__()
        gelu = nn.Module()
        gelu.proj = nn.Linear(dim, hidden)
        self.net = nn.ModuleList([gelu, nn.Identity(), nn.Linear(hidden, dim)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net[2](F.gelu(self.net[0].proj(x), approximate='tanh'))


# ---------------------------------------------------------------- attention

def split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """[B, N, H*dh] -> [B, H, N, dh]."""
    return x.unflatten(-1, (heads, -1)).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """[B, H, N, dh] -> [B, N, H*dh]."""
    return x.transpose(1, 2).flatten(2)


def sdpa(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """softmax(q k^T / sqrt(dh) + bias) v on [B, H, N, dh]; bias broadcasts to [B, H, Nq, Nk].
    Uses torch's fused kernel where it exists (torch >= 2.0)."""
    fused = getattr(F, 'scaled_dot_product_attention', None)
    if fused is not None:
        return fused(q, k, v, attn_mask=None if bias is None else bias.to(q.dtype))
    s = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    if bias is not None:
        s = s + bias
    return s.softmax(-1) @ v


def mask_bias(mask: torch.Tensor) -> torch.Tensor:
    """0/1 key mask [B, Nk] -> the additive bias [B, 1, 1, Nk] diffusers uses: (1 - mask) * -10000."""
    return ((1 - mask.float()) * -10000.0)[:, None, None, :]


class Attention(nn.Module):
    """The parameters of a diffusers Attention that its processors use: to_q/to_k/to_v, to_out.0, optional
    q/k RMS norms (``qk_norm``: 'rms_norm' per head over dh, 'rms_norm_across_heads' over H*dh), and for
    joint attention the added (text) stream add_{q,k,v}_proj, norm_added_{q,k}, to_add_out."""

    def __init__(self, dim: int, heads: int, head_dim: int, *, kv_dim: Optional[int] = None, qkv_bias: bool = True,
                 qk_norm: Optional[str] = None, eps: float = 1e-6, added: bool = False, add_out: bool = True, out: bool = True):
        super().__init__()
        inner = heads * head_dim
        self.heads = heads
        self.qk_norm = qk_norm
        self.to_q = nn.Linear(dim, inner, bias=qkv_bias)
        self.to_k = nn.Linear(kv_dim or dim, inner, bias=qkv_bias)
        self.to_v = nn.Linear(kv_dim or dim, inner, bias=qkv_bias)
        if qk_norm == 'rms_norm':
            self.norm_q, self.norm_k = RMSNorm(head_dim, eps), RMSNorm(head_dim, eps)
        elif qk_norm == 'rms_norm_across_heads':
            self.norm_q, self.norm_k = RMSNorm(inner, eps), RMSNorm(inner, eps)
        elif qk_norm is not None:
            raise ValueError(f'Attention: qk_norm {qk_norm!r} is not supported')
        if added:
            self.add_q_proj, self.add_k_proj, self.add_v_proj = nn.Linear(dim, inner), nn.Linear(dim, inner), nn.Linear(dim, inner)
            if qk_norm == 'rms_norm':
                self.norm_added_q, self.norm_added_k = RMSNorm(head_dim, eps), RMSNorm(head_dim, eps)
            if add_out:
                self.to_add_out = nn.Linear(inner, dim)
        if out:
            self.to_out = nn.ModuleList([nn.Linear(inner, dim)])

    def qkv(self, x: torch.Tensor, y: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Heads [B, H, N, dh] of q (from x) and k, v (from y, default x), q/k-normed when configured."""
        y = x if y is None else y
        q, k, v = self.to_q(x), self.to_k(y), self.to_v(y)
        if self.qk_norm == 'rms_norm_across_heads':
            q, k = self.norm_q(q), self.norm_k(k)
        q, k, v = split_heads(q, self.heads), split_heads(k, self.heads), split_heads(v, self.heads)
        if self.qk_norm == 'rms_norm':
            q, k = self.norm_q(q), self.norm_k(k)
        return q, k, v

    def added_qkv(self, y: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Heads of the added (text) stream of a joint attention."""
        q, k, v = (split_heads(p(y), self.heads) for p in (self.add_q_proj, self.add_k_proj, self.add_v_proj))
        if self.qk_norm == 'rms_norm':
            q, k = self.norm_added_q(q), self.norm_added_k(k)
        return q, k, v

    def self_attention(self, x: torch.Tensor, bias: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Plain (self-)attention with output projection: [B, N, D] -> [B, N, D]."""
        q, k, v = self.qkv(x)
        return self.to_out[0](merge_heads(sdpa(q, k, v, bias)))

    def joint(self, x: torch.Tensor, y: torch.Tensor, text_first: bool,
              rope: Optional[Callable[[torch.Tensor], torch.Tensor]] = None) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """JointAttnProcessor2_0 / FluxAttnProcessor2_0: attention over the concatenation of the image tokens
        x [B, N, D] and text tokens y [B, L, D] (text first for FLUX), optional RoPE on q and k, split back.
        Returns (image [B, N, D] via to_out.0, text [B, L, D] via to_add_out or None when absent)."""
        q, k, v = self.qkv(x)
        qc, kc, vc = self.added_qkv(y)
        cat = (lambda a, b: torch.cat([b, a], 2)) if text_first else (lambda a, b: torch.cat([a, b], 2))
        q, k, v = cat(q, qc), cat(k, kc), cat(v, vc)
        if rope is not None:
            q, k = rope(q), rope(k)
        o = merge_heads(sdpa(q, k, v))
        n, l = x.shape[1], y.shape[1]
        oi, ot = (o[:, l:], o[:, :l]) if text_first else (o[:, :n], o[:, n:])
        return self.to_out[0](oi), (self.to_add_out(ot) if hasattr(self, 'to_add_out') else None)
