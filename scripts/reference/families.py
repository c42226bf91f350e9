#!/usr/bin/env python3
"""PyTorch reference for sidc's three teacher families (runtime/tfjs/families), written from diffusers'
SanaTransformer2DModel, SD3Transformer2DModel (JointTransformerBlock) and FluxTransformer2DModel with the
same module tree, so `load_state_dict(strict=True)` checks every parameter name and shape independently.
Needs only torch (Debian python3-torch 1.13 works; no diffusers, no safetensors package).

usage: families.py TRANSFORMER_DIR X.npy TIMESTEP TEXT.safetensors ROW GUIDANCE OUT.npy
       families.py --jobs JOBS.json     (a list of such 7-argument lists, or ["vae", VAE_DIR, Z.npy, OUT.npy]
                                         for the AutoencoderKL decoder: one torch start-up for all)
  x [B, C, H, W]; TIMESTEP as the transformer takes it (t x time_scale); ROW: prompt row for every sample.
Writes the velocity [B, C, H, W] (float32 .npy).
"""
import json, math, os, struct, sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------- safetensors (read only)
def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        b, e = v['data_offsets']
        raw = data[b:e]
        if v['dtype'] == 'BF16':
            a = (np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
        elif v['dtype'] == 'F16':
            a = np.frombuffer(raw, dtype=np.float16).astype(np.float32)
        elif v['dtype'] == 'F32':
            a = np.frombuffer(raw, dtype=np.float32)
        else:
            raise SystemExit(f'unsupported dtype {v["dtype"]}')
        out[k] = torch.from_numpy(a.reshape(v['shape']).copy())
    return out, header.get('__metadata__', {})

def read_checkpoint(d):
    idx = os.path.join(d, 'diffusion_pytorch_model.safetensors.index.json')
    if os.path.exists(idx):
        wm = json.load(open(idx))['weight_map']
        sd = {}
        for shard in sorted(set(wm.values())):
            sd.update(read_safetensors(os.path.join(d, shard))[0])
        return sd
    return read_safetensors(os.path.join(d, 'diffusion_pytorch_model.safetensors'))[0]

# ---------------------------------------------------------------- shared modules (embeddings.py, normalization.py)
def timestep_embedding(t, dim=256):  # Timesteps(256, flip_sin_to_cos=True, downscale_freq_shift=0)
    half = dim // 2
    ex = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
    e = t[:, None].float() * ex[None]
    e = torch.cat([torch.sin(e), torch.cos(e)], -1)
    return torch.cat([e[:, half:], e[:, :half]], -1)

class TimestepEmbedding(nn.Module):
    def __init__(s, i, d):
        super().__init__(); s.linear_1 = nn.Linear(i, d); s.linear_2 = nn.Linear(d, d)
    def forward(s, x): return s.linear_2(F.silu(s.linear_1(x)))

class TextProjection(nn.Module):  # PixArtAlphaTextProjection
    def __init__(s, i, d, act):
        super().__init__(); s.linear_1 = nn.Linear(i, d); s.linear_2 = nn.Linear(d, d); s.act = act
    def forward(s, x):
        h = s.linear_1(x)
        return s.linear_2(F.silu(h) if s.act == 'silu' else F.gelu(h, approximate='tanh'))

class RMSNorm(nn.Module):
    def __init__(s, d, eps):
        super().__init__(); s.eps = eps; s.weight = nn.Parameter(torch.ones(d))
    def forward(s, x): return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + s.eps) * s.weight

def ln(x, eps=1e-6): return F.layer_norm(x, x.shape[-1:], eps=eps)

class AdaLNZero(nn.Module):
    def __init__(s, d, n): super().__init__(); s.linear = nn.Linear(d, n * d); s.n = n
    def forward(s, temb): return s.linear(F.silu(temb)).chunk(s.n, dim=1)

class AdaLNContinuous(nn.Module):
    def __init__(s, d): super().__init__(); s.linear = nn.Linear(d, 2 * d)
    def forward(s, x, temb):
        scale, shift = s.linear(F.silu(temb)).chunk(2, dim=1)
        return ln(x) * (1 + scale)[:, None] + shift[:, None]

class FeedForward(nn.Module):  # FeedForward(activation_fn="gelu-approximate"): net.0.proj, net.2
    def __init__(s, d):
        super().__init__()
        g = nn.Module(); g.proj = nn.Linear(d, 4 * d)
        s.net = nn.ModuleList([g, nn.Dropout(0.0), nn.Linear(4 * d, d)])
    def forward(s, x): return s.net[2](F.gelu(s.net[0].proj(x), approximate='tanh'))

def sdpa(q, k, v, bias=None):  # [B, H, N, dh]
    s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if bias is not None: s = s + bias
    return s.softmax(-1) @ v

def heads(x, h): return x.unflatten(-1, (h, -1)).transpose(1, 2)
def merge(x): return x.transpose(1, 2).flatten(2)
def mod(x, shift, scale): return x * (1 + scale[:, None]) + shift[:, None]

class Attn(nn.Module):
    """diffusers Attention with the parameters a processor uses."""
    def __init__(s, d, h, dh, qkv_bias=True, kv_in=None, added=False, pre_only=False, ctx_pre_only=False, qk=None, eps=1e-6, inner=None):
        super().__init__()
        inner = inner or h * dh
        s.h = h
        s.to_q = nn.Linear(d, inner, bias=qkv_bias); s.to_k = nn.Linear(kv_in or d, inner, bias=qkv_bias); s.to_v = nn.Linear(kv_in or d, inner, bias=qkv_bias)
        if qk == 'rms_norm': s.norm_q = RMSNorm(dh, eps); s.norm_k = RMSNorm(dh, eps)
        elif qk == 'rms_norm_across_heads': s.norm_q = RMSNorm(inner, eps); s.norm_k = RMSNorm(inner, eps)
        else: s.norm_q = s.norm_k = None
        s.qk = qk
        if added:
            s.add_q_proj = nn.Linear(d, inner); s.add_k_proj = nn.Linear(d, inner); s.add_v_proj = nn.Linear(d, inner)
            if qk == 'rms_norm': s.norm_added_q = RMSNorm(dh, eps); s.norm_added_k = RMSNorm(dh, eps)
            if not ctx_pre_only: s.to_add_out = nn.Linear(inner, d)
        if not pre_only: s.to_out = nn.ModuleList([nn.Linear(inner, d), nn.Dropout(0.0)])
    def qkv(s, x, y=None):
        y = x if y is None else y
        q, k, v = s.to_q(x), s.to_k(y), s.to_v(y)
        if s.qk == 'rms_norm_across_heads': q, k = s.norm_q(q), s.norm_k(k)
        q, k, v = heads(q, s.h), heads(k, s.h), heads(v, s.h)
        if s.qk == 'rms_norm': q, k = s.norm_q(q), s.norm_k(k)
        return q, k, v
    def added_qkv(s, y):
        q, k, v = heads(s.add_q_proj(y), s.h), heads(s.add_k_proj(y), s.h), heads(s.add_v_proj(y), s.h)
        if s.qk == 'rms_norm': q, k = s.norm_added_q(q), s.norm_added_k(k)
        return q, k, v

def rope_apply(x, cos, sin):  # apply_rotary_emb(use_real=True, use_real_unbind_dim=-1)
    xr, xi = x.reshape(*x.shape[:-1], -1, 2).unbind(-1)
    rot = torch.stack([-xi, xr], -1).flatten(3)
    return x * cos + rot * sin

def sincos_2d(d, gh, gw, base, interp):  # get_2d_sincos_pos_embed (numpy, as diffusers computes it)
    grid_h = np.arange(gh, dtype=np.float32) / (gh / base) / interp
    grid_w = np.arange(gw, dtype=np.float32) / (gw / base) / interp
    grid = np.stack(np.meshgrid(grid_w, grid_h), axis=0).reshape([2, 1, gw, gh])
    def one(dim, pos):
        omega = 1.0 / 10000 ** (np.arange(dim // 2, dtype=np.float64) / (dim / 2.0))
        out = np.einsum('m,d->md', pos.reshape(-1), omega)
        return np.concatenate([np.sin(out), np.cos(out)], axis=1)
    return torch.from_numpy(np.concatenate([one(d // 2, grid[0]), one(d // 2, grid[1])], axis=1)).float()[None]

# ---------------------------------------------------------------- SANA
class GLUMBConv(nn.Module):
    def __init__(s, d, ratio):
        super().__init__(); h = int(ratio * d)
        s.conv_inverted = nn.Conv2d(d, 2 * h, 1); s.conv_depth = nn.Conv2d(2 * h, 2 * h, 3, 1, 1, groups=2 * h); s.conv_point = nn.Conv2d(h, d, 1, bias=False)
    def forward(s, x):
        x = s.conv_depth(F.silu(s.conv_inverted(x)))
        x, g = x.chunk(2, dim=1)
        return s.conv_point(x * F.silu(g))

class SanaBlock(nn.Module):
    def __init__(s, c):
        super().__init__(); d = c['num_attention_heads'] * c['attention_head_dim']; qk = c.get('qk_norm')
        s.c = c
        s.attn1 = Attn(d, c['num_attention_heads'], c['attention_head_dim'], qkv_bias=c.get('attention_bias', False), qk=qk, eps=1e-5)
        s.attn2 = Attn(d, c['num_cross_attention_heads'], c['cross_attention_head_dim'], kv_in=c['cross_attention_dim'], qk=qk, eps=1e-5)
        s.ff = GLUMBConv(d, c['mlp_ratio'])
        s.scale_shift_table = nn.Parameter(torch.zeros(6, d))
    def forward(s, x, y, bias, t6, hh, ww):
        b = x.shape[0]
        sh1, sc1, g1, sh2, sc2, g2 = (s.scale_shift_table[None] + t6.reshape(b, 6, -1)).chunk(6, dim=1)
        n = ln(x) * (1 + sc1) + sh1
        # SanaLinearAttnProcessor2_0
        q, k, v = s.attn1.to_q(n), s.attn1.to_k(n), s.attn1.to_v(n)
        if s.attn1.norm_q is not None: q, k = s.attn1.norm_q(q), s.attn1.norm_k(k)
        q = F.relu(q.transpose(1, 2).unflatten(1, (s.attn1.h, -1)))
        k = F.relu(k.transpose(1, 2).unflatten(1, (s.attn1.h, -1)).transpose(2, 3))
        v = v.transpose(1, 2).unflatten(1, (s.attn1.h, -1))
        v = F.pad(v, (0, 0, 0, 1), mode='constant', value=1.0)
        o = (v @ k) @ q
        o = (o[:, :, :-1] / (o[:, :, -1:] + 1e-15)).flatten(1, 2).transpose(1, 2)
        x = x + g1 * s.attn1.to_out[0](o)
        q, k, v = s.attn2.qkv(x, y)
        x = x + s.attn2.to_out[0](merge(sdpa(q, k, v, bias)))
        n = ln(x) * (1 + sc2) + sh2
        f = s.ff(n.unflatten(1, (hh, ww)).permute(0, 3, 1, 2)).flatten(2, 3).permute(0, 2, 1)
        return x + g2 * f

class Sana(nn.Module):
    def __init__(s, c):
        super().__init__(); d = c['num_attention_heads'] * c['attention_head_dim']; p = c['patch_size']
        s.c, s.d = c, d
        s.patch_embed = nn.Module(); s.patch_embed.proj = nn.Conv2d(c['in_channels'], d, p, p)
        s.time_embed = nn.Module(); s.time_embed.linear = nn.Linear(d, 6 * d)
        if c.get('guidance_embeds'):  # SanaCombinedTimestepGuidanceEmbeddings (SANA-Sprint)
            s.time_embed.timestep_embedder = TimestepEmbedding(256, d); s.time_embed.guidance_embedder = TimestepEmbedding(256, d)
        else:  # AdaLayerNormSingle -> PixArtAlphaCombinedTimestepSizeEmbeddings
            s.time_embed.emb = nn.Module(); s.time_embed.emb.timestep_embedder = TimestepEmbedding(256, d)
        s.caption_projection = TextProjection(c['caption_channels'], d, 'gelu_tanh'); s.caption_norm = RMSNorm(d, 1e-5)
        s.transformer_blocks = nn.ModuleList([SanaBlock(c) for _ in range(c['num_layers'])])
        s.scale_shift_table = nn.Parameter(torch.zeros(2, d)); s.proj_out = nn.Linear(d, p * p * (c.get('out_channels') or c['in_channels']))
    def forward(s, x, t, text, mask, pooled, guidance):
        b, _, H, W = x.shape; p = s.c['patch_size']; hh, ww = H // p, W // p
        h = s.patch_embed.proj(x).flatten(2).transpose(1, 2)
        if s.c.get('interpolation_scale') is not None:  # PatchEmbed(pos_embed_type="sincos")
            h = h + sincos_2d(s.d, hh, ww, s.c['sample_size'] // p, s.c['interpolation_scale'])
        if s.c.get('guidance_embeds'):
            emb = s.time_embed.timestep_embedder(timestep_embedding(t)) + s.time_embed.guidance_embedder(timestep_embedding(guidance))
        else:
            emb = s.time_embed.emb.timestep_embedder(timestep_embedding(t))
        t6 = s.time_embed.linear(F.silu(emb))
        y = s.caption_norm(s.caption_projection(text))
        bias = ((1 - mask) * -10000.0)[:, None, None, :]
        for blk in s.transformer_blocks: h = blk(h, y, bias, t6, hh, ww)
        shift, scale = (s.scale_shift_table[None] + emb[:, None]).chunk(2, dim=1)
        h = s.proj_out(ln(h) * (1 + scale) + shift)
        h = h.reshape(b, hh, ww, p, p, -1).permute(0, 5, 1, 3, 2, 4)
        return h.reshape(b, -1, hh * p, ww * p)

# ---------------------------------------------------------------- SD3 (JointTransformerBlock)
class JointBlock(nn.Module):
    def __init__(s, c, i):
        super().__init__(); d = c['num_attention_heads'] * c['attention_head_dim']; h, dh = c['num_attention_heads'], c['attention_head_dim']
        s.last = i == c['num_layers'] - 1; s.dual = i in c.get('dual_attention_layers', [])
        s.norm1 = AdaLNZero(d, 9 if s.dual else 6)
        s.norm1_context = AdaLNContinuous(d) if s.last else AdaLNZero(d, 6)
        s.attn = Attn(d, h, dh, added=True, ctx_pre_only=s.last, qk=c.get('qk_norm'))
        if s.dual: s.attn2 = Attn(d, h, dh, qk=c.get('qk_norm'))
        s.ff = FeedForward(d)
        if not s.last: s.ff_context = FeedForward(d)
    def forward(s, x, y, temb):
        m = s.norm1(temb); nx = ln(x)
        n1 = mod(nx, m[0], m[1])
        if s.last: ny = s.norm1_context(y, temb)
        else: cm = s.norm1_context(temb); ny = mod(ln(y), cm[0], cm[1])
        q, k, v = s.attn.qkv(n1); qc, kc, vc = s.attn.added_qkv(ny)
        o = merge(sdpa(torch.cat([q, qc], 2), torch.cat([k, kc], 2), torch.cat([v, vc], 2)))
        ox, oy = o[:, :x.shape[1]], o[:, x.shape[1]:]
        x = x + m[2][:, None] * s.attn.to_out[0](ox)
        if s.dual:
            q, k, v = s.attn2.qkv(mod(nx, m[6], m[7]))
            x = x + m[8][:, None] * s.attn2.to_out[0](merge(sdpa(q, k, v)))
        x = x + m[5][:, None] * s.ff(mod(ln(x), m[3], m[4]))
        if s.last: return x, y
        y = y + cm[2][:, None] * s.attn.to_add_out(oy)
        y = y + cm[5][:, None] * s.ff_context(mod(ln(y), cm[3], cm[4]))
        return x, y

class SD3(nn.Module):
    def __init__(s, c):
        super().__init__(); d = c['num_attention_heads'] * c['attention_head_dim']; p = c['patch_size']; M = c['pos_embed_max_size']
        s.c = c
        s.pos_embed = nn.Module(); s.pos_embed.proj = nn.Conv2d(c['in_channels'], d, p, p); s.pos_embed.register_buffer('pos_embed', torch.zeros(1, M * M, d))
        s.time_text_embed = nn.Module(); s.time_text_embed.timestep_embedder = TimestepEmbedding(256, d); s.time_text_embed.text_embedder = TextProjection(c['pooled_projection_dim'], d, 'silu')
        s.context_embedder = nn.Linear(c['joint_attention_dim'], c['caption_projection_dim'])
        s.transformer_blocks = nn.ModuleList([JointBlock(c, i) for i in range(c['num_layers'])])
        s.norm_out = AdaLNContinuous(d); s.proj_out = nn.Linear(d, p * p * (c.get('out_channels') or c['in_channels']))
    def forward(s, x, t, text, mask, pooled, guidance):
        b, _, H, W = x.shape; p = s.c['patch_size']; hh, ww = H // p, W // p; M = s.c['pos_embed_max_size']
        h = s.pos_embed.proj(x).flatten(2).transpose(1, 2)
        top, left = (M - hh) // 2, (M - ww) // 2
        pe = s.pos_embed.pos_embed.reshape(1, M, M, -1)[:, top:top + hh, left:left + ww, :].reshape(1, hh * ww, -1)
        h = h + pe
        temb = s.time_text_embed.timestep_embedder(timestep_embedding(t)) + s.time_text_embed.text_embedder(pooled)
        y = s.context_embedder(text)
        for blk in s.transformer_blocks: h, y = blk(h, y, temb)
        h = s.proj_out(s.norm_out(h, temb))
        h = h.reshape(b, hh, ww, p, p, -1)
        return torch.einsum('nhwpqc->nchpwq', h).reshape(b, -1, hh * p, ww * p)

# ---------------------------------------------------------------- FLUX
class FluxDouble(nn.Module):
    def __init__(s, d, h, dh):
        super().__init__()
        s.norm1 = AdaLNZero(d, 6); s.norm1_context = AdaLNZero(d, 6)
        s.attn = Attn(d, h, dh, added=True, qk='rms_norm'); s.ff = FeedForward(d); s.ff_context = FeedForward(d)
    def forward(s, x, y, temb, cos, sin):
        m = s.norm1(temb); cm = s.norm1_context(temb)
        q, k, v = s.attn.qkv(mod(ln(x), m[0], m[1])); qc, kc, vc = s.attn.added_qkv(mod(ln(y), cm[0], cm[1]))
        q = rope_apply(torch.cat([qc, q], 2), cos, sin); k = rope_apply(torch.cat([kc, k], 2), cos, sin)
        o = merge(sdpa(q, k, torch.cat([vc, v], 2)))
        oy, ox = o[:, :y.shape[1]], o[:, y.shape[1]:]
        x = x + m[2][:, None] * s.attn.to_out[0](ox)
        x = x + m[5][:, None] * s.ff(mod(ln(x), m[3], m[4]))
        y = y + cm[2][:, None] * s.attn.to_add_out(oy)
        y = y + cm[5][:, None] * s.ff_context(mod(ln(y), cm[3], cm[4]))
        return x, y

class FluxSingle(nn.Module):
    def __init__(s, d, h, dh):
        super().__init__()
        s.norm = AdaLNZero(d, 3); s.proj_mlp = nn.Linear(d, 4 * d); s.proj_out = nn.Linear(5 * d, d)
        s.attn = Attn(d, h, dh, qk='rms_norm', pre_only=True)
    def forward(s, x, temb, cos, sin):
        shift, scale, gate = s.norm(temb)
        n = mod(ln(x), shift, scale)
        mlp = F.gelu(s.proj_mlp(n), approximate='tanh')
        q, k, v = s.attn.qkv(n)
        a = merge(sdpa(rope_apply(q, cos, sin), rope_apply(k, cos, sin), v))
        return x + gate[:, None] * s.proj_out(torch.cat([a, mlp], 2))

class Flux(nn.Module):
    def __init__(s, c):
        super().__init__(); h, dh = c['num_attention_heads'], c['attention_head_dim']; d = h * dh
        s.c = c
        s.time_text_embed = nn.Module(); s.time_text_embed.timestep_embedder = TimestepEmbedding(256, d)
        if c.get('guidance_embeds'): s.time_text_embed.guidance_embedder = TimestepEmbedding(256, d)
        s.time_text_embed.text_embedder = TextProjection(c['pooled_projection_dim'], d, 'silu')
        s.context_embedder = nn.Linear(c['joint_attention_dim'], d); s.x_embedder = nn.Linear(c['in_channels'], d)
        s.transformer_blocks = nn.ModuleList([FluxDouble(d, h, dh) for _ in range(c['num_layers'])])
        s.single_transformer_blocks = nn.ModuleList([FluxSingle(d, h, dh) for _ in range(c['num_single_layers'])])
        s.norm_out = AdaLNContinuous(d); s.proj_out = nn.Linear(d, c.get('out_channels') or c['in_channels'])
    def forward(s, x, t, text, mask, pooled, guidance):
        b, C, H, W = x.shape; gh, gw = H // 2, W // 2; L = text.shape[1]
        packed = x.view(b, C, gh, 2, gw, 2).permute(0, 2, 4, 1, 3, 5).reshape(b, gh * gw, C * 4)  # _pack_latents
        h = s.x_embedder(packed)
        temb = s.time_text_embed.timestep_embedder(timestep_embedding(t * 1000))
        if s.c.get('guidance_embeds'): temb = temb + s.time_text_embed.guidance_embedder(timestep_embedding(guidance * 1000))
        temb = temb + s.time_text_embed.text_embedder(pooled)
        y = s.context_embedder(text)
        ids = torch.zeros(L + gh * gw, 3, dtype=torch.float64)
        ids[L:, 1] = torch.arange(gh, dtype=torch.float64)[:, None].expand(gh, gw).reshape(-1)
        ids[L:, 2] = torch.arange(gw, dtype=torch.float64)[None, :].expand(gh, gw).reshape(-1)
        cos, sin = [], []
        for i, dim in enumerate(s.c['axes_dims_rope']):  # FluxPosEmbed / get_1d_rotary_pos_embed
            f = 1.0 / (10000 ** (torch.arange(0, dim, 2, dtype=torch.float64)[: dim // 2] / dim))
            a = torch.outer(ids[:, i], f)
            cos.append(a.cos().repeat_interleave(2, dim=1)); sin.append(a.sin().repeat_interleave(2, dim=1))
        cos, sin = torch.cat(cos, -1).float(), torch.cat(sin, -1).float()
        for blk in s.transformer_blocks: h, y = blk(h, y, temb, cos, sin)
        hy = torch.cat([y, h], 1)
        for blk in s.single_transformer_blocks: hy = blk(hy, temb, cos, sin)
        h = s.proj_out(s.norm_out(hy[:, L:], temb))
        return h.view(b, gh, gw, C, 2, 2).permute(0, 3, 1, 4, 2, 5).reshape(b, C, H, W)  # _unpack_latents

# ---------------------------------------------------------------- AutoencoderKL decoder (vae.py Decoder)
class Resnet(nn.Module):  # ResnetBlock2D(temb_channels=None, eps=1e-6)
    def __init__(s, i, o, g):
        super().__init__()
        s.norm1 = nn.GroupNorm(g, i, eps=1e-6); s.conv1 = nn.Conv2d(i, o, 3, 1, 1)
        s.norm2 = nn.GroupNorm(g, o, eps=1e-6); s.conv2 = nn.Conv2d(o, o, 3, 1, 1)
        s.conv_shortcut = nn.Conv2d(i, o, 1) if i != o else None
    def forward(s, x):
        h = s.conv2(F.silu(s.norm2(s.conv1(F.silu(s.norm1(x))))))
        return (s.conv_shortcut(x) if s.conv_shortcut is not None else x) + h

class VaeAttn(nn.Module):  # Attention(heads=1, residual_connection=True, norm_num_groups)
    def __init__(s, c, g):
        super().__init__()
        s.group_norm = nn.GroupNorm(g, c, eps=1e-6)
        s.to_q = nn.Linear(c, c); s.to_k = nn.Linear(c, c); s.to_v = nn.Linear(c, c)
        s.to_out = nn.ModuleList([nn.Linear(c, c), nn.Dropout(0.0)])
    def forward(s, x):
        b, c, h, w = x.shape
        t = s.group_norm(x).view(b, c, h * w).transpose(1, 2)
        o = sdpa(s.to_q(t)[:, None], s.to_k(t)[:, None], s.to_v(t)[:, None])[:, 0]
        return x + s.to_out[0](o).transpose(1, 2).reshape(b, c, h, w)

class VaeDecoder(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.c = c; g = c.get('norm_num_groups', 32); ch = c['block_out_channels']; rev = list(reversed(ch)); L = c.get('layers_per_block', 1)
        if c.get('use_post_quant_conv', True): s.post_quant_conv = nn.Conv2d(c['latent_channels'], c['latent_channels'], 1)
        s.decoder = nn.Module(); d = s.decoder
        d.conv_in = nn.Conv2d(c['latent_channels'], rev[0], 3, 1, 1)
        d.mid_block = nn.Module(); d.mid_block.resnets = nn.ModuleList([Resnet(rev[0], rev[0], g), Resnet(rev[0], rev[0], g)])
        d.mid_block.attentions = nn.ModuleList([VaeAttn(rev[0], g)])
        d.up_blocks = nn.ModuleList()
        prev = rev[0]
        for i, out in enumerate(rev):
            ub = nn.Module(); ub.resnets = nn.ModuleList([Resnet(prev if j == 0 else out, out, g) for j in range(L + 1)])
            if i < len(rev) - 1:
                up = nn.Module(); up.conv = nn.Conv2d(out, out, 3, 1, 1); ub.upsamplers = nn.ModuleList([up])
            d.up_blocks.append(ub); prev = out
        d.conv_norm_out = nn.GroupNorm(g, ch[0], eps=1e-6); d.conv_out = nn.Conv2d(ch[0], c.get('out_channels', 3), 3, 1, 1)
    def forward(s, z):
        c = s.c; d = s.decoder
        z = z / c['scaling_factor'] + (c.get('shift_factor') or 0.0)
        if hasattr(s, 'post_quant_conv'): z = s.post_quant_conv(z)
        x = d.conv_in(z)
        x = d.mid_block.resnets[0](x); x = d.mid_block.attentions[0](x); x = d.mid_block.resnets[1](x)
        for ub in d.up_blocks:
            for r in ub.resnets: x = r(x)
            if hasattr(ub, 'upsamplers'): x = ub.upsamplers[0].conv(F.interpolate(x, scale_factor=2.0, mode='nearest'))
        x = d.conv_out(F.silu(d.conv_norm_out(x)))
        return (x / 2 + 0.5).clamp(0, 1)

def run_vae(vdir, zpath, out):
    c = json.load(open(os.path.join(vdir, 'config.json')))
    model = VaeDecoder(c)
    sd = {k: v for k, v in read_checkpoint(vdir).items() if k.startswith('decoder.') or k.startswith('post_quant_conv.')}
    model.load_state_dict(sd, strict=True)
    with torch.no_grad():
        np.save(out, model(torch.from_numpy(np.load(zpath).astype(np.float32))).numpy().astype(np.float32))

CLASSES = {'SanaTransformer2DModel': Sana, 'SD3Transformer2DModel': SD3, 'FluxTransformer2DModel': Flux}

def run(tdir, xpath, ts, textpath, row, guidance, out):
    c = json.load(open(os.path.join(tdir, 'config.json')))
    model = CLASSES[c['_class_name']](c)
    model.load_state_dict(read_checkpoint(tdir), strict=True)
    model.eval()
    x = torch.from_numpy(np.load(xpath).astype(np.float32))
    b = x.shape[0]
    enc, _ = read_safetensors(textpath)
    r = int(row)
    text = enc['prompt_embeds'][r:r + 1].expand(b, -1, -1)
    mask = enc.get('prompt_attention_mask', torch.ones(enc['prompt_embeds'].shape[:2]))[r:r + 1].expand(b, -1)
    pooled = enc['pooled_prompt_embeds'][r:r + 1].expand(b, -1) if 'pooled_prompt_embeds' in enc else None
    with torch.no_grad():
        v = model(x, torch.full((b,), float(ts)), text, mask, pooled, torch.full((b,), float(guidance)))
    np.save(out, v.numpy().astype(np.float32))

if __name__ == '__main__':
    if sys.argv[1] == '--jobs':
        for job in json.load(open(sys.argv[2])):
            run_vae(*job[1:]) if job[0] == 'vae' else run(*job)
    else:
        run(*sys.argv[1:8])
