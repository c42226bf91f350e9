"""Gemma-2's text model as transformers' Gemma2Model (models/gemma2/modeling_gemma2.py), forward only, the base
model without LM head as SANA's text_encoder/ is saved: token embedding times sqrt(hidden_size) (in the model
dtype), then per layer input_layernorm -> self-attention -> post_attention_layernorm -> residual,
pre_feedforward_layernorm -> GeGLU MLP (gelu_pytorch_tanh) -> post_feedforward_layernorm -> residual, and the
final norm. RMSNorm scales by (1 + weight) in float32. Attention: grouped-query heads, rotary embeddings
(rope_theta), queries scaled by query_pre_attn_scalar**-0.5, logits soft-capped (attn_logit_softcapping),
causal mask combined with the padding mask, a sliding window (sliding_window) on layers 0, 2, 4, ...
(final_logit_softcapping belongs to the LM head: not used)."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F

from . import EncoderError
from .weights import load_encoder, take


def gemma_rms_norm(x: torch.Tensor, w: torch.Tensor, eps: float) -> torch.Tensor:
    """Gemma2RMSNorm: in float32, x / rms(x) * (1 + weight), back to x's dtype."""
    h = x.float()
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return (h * (1.0 + w.float())).to(x.dtype)


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


def _layer_types(cfg: dict, n: int) -> List[str]:
    """transformers: layer_types when the config has it, else sliding on even layers (Gemma2Config's default)."""
    lt = cfg.get('layer_types')
    if isinstance(lt, list) and len(lt) == n:
        return [str(t) for t in lt]
    return ['sliding_attention' if (i + 1) % 2 else 'full_attention' for i in range(n)]


class Gemma2Text:
    def __init__(self, folder: str, device: str = 'cpu', dtype: torch.dtype = torch.float32):
        cfg, w = load_encoder(folder)
        self.folder = folder
        try:
            self.width, self.heads, self.kv_heads = int(cfg['hidden_size']), int(cfg['num_attention_heads']), int(cfg['num_key_value_heads'])
            n_layers = int(cfg['num_hidden_layers'])
        except KeyError as e:
            raise EncoderError(f'{folder}/config.json: no {e.args[0]!r}; is this a Gemma-2 text model?') from None
        self.head_dim = int(cfg.get('head_dim') or self.width // self.heads)
        act = str(cfg.get('hidden_activation') or cfg.get('hidden_act') or 'gelu_pytorch_tanh')
        if act not in ('gelu_pytorch_tanh', 'gelu_new', 'gelu'):
            raise EncoderError(f"{folder}/config.json: hidden_activation '{act}' is not gelu_pytorch_tanh")
        self.approx = 'none' if act == 'gelu' else 'tanh'
        self.eps = float(cfg.get('rms_norm_eps', 1e-6))
        self.theta = float(cfg.get('rope_theta', 10000.0))
        self.scaling = float(cfg.get('query_pre_attn_scalar', 256)) ** -0.5
        cap = cfg.get('attn_logit_softcapping')
        self.softcap = float(cap) if cap else None
        self.window = int(cfg['sliding_window']) if cfg.get('sliding_window') else None
        self.types = _layer_types(cfg, n_layers)
        # Gemma2Model saves its weights without prefix; Gemma2ForCausalLM under model.
        w = {(k[6:] if k.startswith('model.') else k): v for k, v in w.items()}
        w.pop('lm_head.weight', None)
        g = lambda n: take(w, n, folder).to(device=device, dtype=dtype)  # noqa: E731
        self.embed = g('embed_tokens.weight')
        self.layers: List[Dict[str, torch.Tensor]] = []
        norms = ('input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm')
        for i in range(n_layers):
            p = f'layers.{i}.'
            b = {n: g(f'{p}self_attn.{n}.weight') for n in ('q_proj', 'k_proj', 'v_proj', 'o_proj')}
            b.update({n: g(f'{p}mlp.{n}.weight') for n in ('gate_proj', 'up_proj', 'down_proj')})
            b.update({n: g(f'{p}{n}.weight') for n in norms})
            self.layers.append(b)
        self.norm = g('norm.weight')
        self.device, self.dtype = device, dtype

    def _rope(self, l: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """Gemma2RotaryEmbedding: cos / sin in float32, cast to the model dtype."""
        inv = 1.0 / (self.theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.int64).float().to(self.device) / self.head_dim))
        freqs = torch.arange(l, device=self.device).float()[:, None] * inv[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(self.dtype), emb.sin().to(self.dtype)

    @torch.no_grad()
    def __call__(self, ids: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """last_hidden_state [N, L, hidden_size] (after the final norm); mask [N, L] (1 = token, 0 = padding)."""
        ids = ids.to(self.device)
        n, l = ids.shape
        x = self.embed[ids] * torch.tensor(self.width ** 0.5, dtype=self.dtype)
        pos = torch.arange(l, device=self.device)
        allowed = (pos[None, :] <= pos[:, None])[None].expand(n, l, l)  # [n, q, k] causal
        if mask is not None:
            allowed = allowed & mask.to(self.device).bool()[:, None, :]
        near = (pos[:, None] - pos[None, :]) < self.window if self.window else torch.ones(l, l, dtype=torch.bool, device=self.device)
        neg = torch.finfo(torch.float32).min
        full_bias = torch.zeros(n, 1, l, l, device=self.device).masked_fill(~allowed[:, None], neg)
        slide_bias = torch.zeros(n, 1, l, l, device=self.device).masked_fill(~(allowed & near[None])[:, None], neg)
        cos, sin = self._rope(l)
        group = self.heads // self.kv_heads
        for b, kind in zip(self.layers, self.types):
            h = gemma_rms_norm(x, b['input_layernorm'], self.eps)
            q = F.linear(h, b['q_proj']).view(n, l, self.heads, self.head_dim).transpose(1, 2)
            k = F.linear(h, b['k_proj']).view(n, l, self.kv_heads, self.head_dim).transpose(1, 2)
            v = F.linear(h, b['v_proj']).view(n, l, self.kv_heads, self.head_dim).transpose(1, 2)
            q, k = q * cos + _rotate_half(q) * sin, k * cos + _rotate_half(k) * sin
            k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
            s = (q @ k.transpose(-1, -2)) * self.scaling
            if self.softcap is not None:
                s = torch.tanh(s / self.softcap) * self.softcap
            bias = slide_bias if kind == 'sliding_attention' and self.window else full_bias
            p = torch.softmax(s.float() + bias, dim=-1).to(q.dtype)
            o = F.linear((p @ v).transpose(1, 2).reshape(n, l, self.heads * self.head_dim), b['o_proj'])
            x = x + gemma_rms_norm(o, b['post_attention_layernorm'], self.eps)
            h = gemma_rms_norm(x, b['pre_feedforward_layernorm'], self.eps)
            h = F.linear(F.gelu(F.linear(h, b['gate_proj']), approximate=self.approx) * F.linear(h, b['up_proj']), b['down_proj'])
            x = x + gemma_rms_norm(h, b['post_feedforward_layernorm'], self.eps)
        return gemma_rms_norm(x, self.norm, self.eps)
