"""T5's encoder as transformers' T5EncoderModel (models/t5/modeling_t5.py), forward only: shared embedding,
pre-norm blocks (T5LayerNorm: RMS, no mean, no bias), self-attention WITHOUT the 1/sqrt(d) scaling plus a
relative-position bias computed by block 0's relative_attention_bias (bidirectional buckets) and shared by
every block, a feed-forward that is gated-gelu for T5 v1.1 (DenseGatedActDense: gelu_new(wi_0 x) * wi_1 x)
or relu (DenseActDense), then the final RMS norm. fp16 clamps hidden states as transformers does."""
from __future__ import annotations

import math
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F

from . import EncoderError
from .clip import ACTS
from .weights import load_encoder, take

ACTS_T5 = {**ACTS, 'relu': F.relu, 'gelu_pytorch_tanh': ACTS['gelu_new']}


def relative_position_bucket(rel: torch.Tensor, num_buckets: int = 32, max_distance: int = 128) -> torch.Tensor:
    """T5Attention._relative_position_bucket, bidirectional: half the buckets for keys after the query,
    exact buckets for small distances, logarithmic ones up to max_distance."""
    num_buckets //= 2
    out = (rel > 0).long() * num_buckets
    rel = rel.abs()
    max_exact = num_buckets // 2
    is_small = rel < max_exact
    large = max_exact + (torch.log(rel.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)).long()
    large = torch.minimum(large, torch.full_like(large, num_buckets - 1))
    return out + torch.where(is_small, rel, large)


def rms_norm(x: torch.Tensor, w: torch.Tensor, eps: float) -> torch.Tensor:
    """T5LayerNorm: the variance in float32, back to the weight's dtype when that is half precision."""
    var = x.float().pow(2).mean(-1, keepdim=True)
    x = x * torch.rsqrt(var + eps)
    if w.dtype in (torch.float16, torch.bfloat16):
        x = x.to(w.dtype)
    return w * x


def _clamp_fp16(x: torch.Tensor) -> torch.Tensor:
    if x.dtype == torch.float16:
        c = torch.finfo(torch.float16).max - 1000
        return torch.clamp(x, -c, c)
    return x


class T5Encoder:
    def __init__(self, folder: str, device: str = 'cpu', dtype: torch.dtype = torch.float32):
        cfg, w = load_encoder(folder)
        self.folder = folder
        try:
            self.d_model, self.heads, self.d_kv = int(cfg['d_model']), int(cfg['num_heads']), int(cfg['d_kv'])
            n_layers = int(cfg['num_layers'])
        except KeyError as e:
            raise EncoderError(f'{folder}/config.json: no {e.args[0]!r}; is this a T5 encoder?') from None
        self.eps = float(cfg.get('layer_norm_epsilon', 1e-6))
        self.num_buckets = int(cfg.get('relative_attention_num_buckets', 32))
        self.max_distance = int(cfg.get('relative_attention_max_distance', 128))
        ff = str(cfg.get('feed_forward_proj', 'relu'))
        self.gated = ff.startswith('gated-')
        act = ff.split('-')[-1]
        act = 'gelu_new' if act == 'gelu' and self.gated else act  # transformers: "gated-gelu" means gelu_new
        if act not in ACTS_T5:
            raise EncoderError(f"{folder}/config.json: feed_forward_proj '{ff}' is not relu, gelu, gated-gelu or gated-relu")
        self.act = ACTS_T5[act]
        g = lambda n: take(w, n, folder).to(device=device, dtype=dtype)  # noqa: E731
        self.embed = g('encoder.embed_tokens.weight' if 'encoder.embed_tokens.weight' in w else 'shared.weight')
        w.pop('shared.weight', None)  # tied to embed_tokens
        self.rel_bias = g('encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight')
        ffn = ('wi_0', 'wi_1', 'wo') if self.gated else ('wi', 'wo')
        self.blocks: List[Dict[str, torch.Tensor]] = []
        for i in range(n_layers):
            p = f'encoder.block.{i}.layer.'
            b = {n: g(f'{p}0.SelfAttention.{n}.weight') for n in ('q', 'k', 'v', 'o')}
            b['ln0'], b['ln1'] = g(f'{p}0.layer_norm.weight'), g(f'{p}1.layer_norm.weight')
            b.update({n: g(f'{p}1.DenseReluDense.{n}.weight') for n in ffn})
            self.blocks.append(b)
        self.final = g('encoder.final_layer_norm.weight')
        self.device, self.dtype = device, dtype

    def position_bias(self, l: int) -> torch.Tensor:
        """[1, heads, l, l]: T5Attention.compute_bias of block 0, key position minus query position."""
        pos = torch.arange(l, device=self.device)
        buckets = relative_position_bucket(pos[None, :] - pos[:, None], self.num_buckets, self.max_distance)
        return self.rel_bias[buckets].permute(2, 0, 1).unsqueeze(0)

    @torch.no_grad()
    def __call__(self, ids: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """last_hidden_state [N, L, d_model]. The diffusers SD3 and FLUX pipelines pass no mask (padding attended)."""
        ids = ids.to(self.device)
        n, l = ids.shape
        x = self.embed[ids]
        bias = self.position_bias(l).float()
        if mask is not None:
            bias = bias + (1.0 - mask.to(self.device).float())[:, None, None, :] * torch.finfo(torch.float32).min
        split = lambda t: t.view(n, l, self.heads, self.d_kv).transpose(1, 2)  # noqa: E731
        for b in self.blocks:
            h = rms_norm(x, b['ln0'], self.eps)
            q, k, v = split(F.linear(h, b['q'])), split(F.linear(h, b['k'])), split(F.linear(h, b['v']))
            p = torch.softmax((q @ k.transpose(-1, -2)).float() + bias, dim=-1).to(x.dtype)
            x = _clamp_fp16(x + F.linear((p @ v).transpose(1, 2).reshape(n, l, self.heads * self.d_kv), b['o']))
            h = rms_norm(x, b['ln1'], self.eps)
            h = self.act(F.linear(h, b['wi_0'])) * F.linear(h, b['wi_1']) if self.gated else self.act(F.linear(h, b['wi']))
            x = _clamp_fp16(x + F.linear(h.to(b['wo'].dtype), b['wo']))
        return rms_norm(x, self.final, self.eps)
