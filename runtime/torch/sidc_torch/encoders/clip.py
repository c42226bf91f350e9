"""CLIP's text transformer as transformers' CLIPTextModel / CLIPTextModelWithProjection (models/clip/
modeling_clip.py), forward only: token + position embeddings, pre-LN layers with causal self-attention
(queries scaled by head_dim^-0.5) and an MLP with the config's hidden_act (quick_gelu for CLIP-L, gelu for
bigG), the final layer norm; pooled = the final-normed state at the EOS token (argmax of the ids for old
configs whose eos_token_id is 2, else the first eos_token_id), projected by text_projection when present."""
from __future__ import annotations

import math
from typing import Dict, List, NamedTuple, Optional

import torch
import torch.nn.functional as F

from . import EncoderError
from .weights import load_encoder, take

ACTS = {
    'quick_gelu': lambda x: x * torch.sigmoid(1.702 * x),
    'gelu': F.gelu,
    'gelu_new': lambda x: F.gelu(x, approximate='tanh'),
}


class ClipOutput(NamedTuple):
    hidden_states: List[torch.Tensor]  # embeddings, then each layer's output (transformers' output_hidden_states)
    last: torch.Tensor  # final-layer-normed last hidden state
    pooled: torch.Tensor  # the EOS token's row of `last`
    text_embeds: Optional[torch.Tensor]  # text_projection(pooled), WithProjection models only


class ClipText:
    def __init__(self, folder: str, device: str = 'cpu', dtype: torch.dtype = torch.float32):
        cfg, w = load_encoder(folder)
        cfg = cfg.get('text_config', cfg) if 'hidden_size' not in cfg else cfg  # a full CLIPModel config nests it
        self.folder = folder
        try:
            self.width, self.heads, self.layers = int(cfg['hidden_size']), int(cfg['num_attention_heads']), int(cfg['num_hidden_layers'])
        except KeyError as e:
            raise EncoderError(f'{folder}/config.json: no {e.args[0]!r}; is this a CLIP text encoder?') from None
        self.eps = float(cfg.get('layer_norm_eps', 1e-5))
        act = cfg.get('hidden_act', 'quick_gelu')
        if act not in ACTS:
            raise EncoderError(f"{folder}/config.json: hidden_act '{act}' is not one of {', '.join(ACTS)}")
        self.act = ACTS[act]
        self.eos_token_id = int(cfg.get('eos_token_id', 2))
        pre = 'text_model.' if any(k.startswith('text_model.') for k in w) else ''
        g = lambda n: take(w, pre + n, folder).to(device=device, dtype=dtype)  # noqa: E731
        self.tok, self.pos = g('embeddings.token_embedding.weight'), g('embeddings.position_embedding.weight')
        names = ('self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.out_proj', 'layer_norm1', 'layer_norm2', 'mlp.fc1', 'mlp.fc2')
        self.blocks: List[Dict[str, torch.Tensor]] = []
        for i in range(self.layers):
            b = {}
            for n in names:
                b[n + '.weight'] = g(f'encoder.layers.{i}.{n}.weight')
                b[n + '.bias'] = g(f'encoder.layers.{i}.{n}.bias')
            self.blocks.append(b)
        self.final_w, self.final_b = g('final_layer_norm.weight'), g('final_layer_norm.bias')
        self.projection = w['text_projection.weight'].to(device=device, dtype=dtype) if 'text_projection.weight' in w else None
        self.device, self.dtype = device, dtype

    @property
    def projection_dim(self) -> int:
        return self.width if self.projection is None else self.projection.shape[0]

    def _attention(self, b: Dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        n, l, d = x.shape
        hd = d // self.heads
        split = lambda t: t.view(n, l, self.heads, hd).transpose(1, 2)  # noqa: E731
        q = split(F.linear(x, b['self_attn.q_proj.weight'], b['self_attn.q_proj.bias']) * hd ** -0.5)
        k = split(F.linear(x, b['self_attn.k_proj.weight'], b['self_attn.k_proj.bias']))
        v = split(F.linear(x, b['self_attn.v_proj.weight'], b['self_attn.v_proj.bias']))
        causal = torch.full((l, l), -math.inf, device=x.device).triu(1)
        p = torch.softmax((q @ k.transpose(-1, -2)).float() + causal, dim=-1).to(x.dtype)
        o = (p @ v).transpose(1, 2).reshape(n, l, d)
        return F.linear(o, b['self_attn.out_proj.weight'], b['self_attn.out_proj.bias'])

    @torch.no_grad()
    def __call__(self, ids: torch.Tensor) -> ClipOutput:
        ids = ids.to(self.device)
        l = ids.shape[1]
        if l > self.pos.shape[0]:
            raise EncoderError(f'{self.folder}: {l} tokens exceed max_position_embeddings {self.pos.shape[0]}')
        x = self.tok[ids] + self.pos[:l]
        hidden = [x]
        for b in self.blocks:
            x = x + self._attention(b, F.layer_norm(x, (self.width,), b['layer_norm1.weight'], b['layer_norm1.bias'], self.eps))
            h = F.layer_norm(x, (self.width,), b['layer_norm2.weight'], b['layer_norm2.bias'], self.eps)
            x = x + F.linear(self.act(F.linear(h, b['mlp.fc1.weight'], b['mlp.fc1.bias'])), b['mlp.fc2.weight'], b['mlp.fc2.bias'])
            hidden.append(x)
        last = F.layer_norm(x, (self.width,), self.final_w, self.final_b, self.eps)
        if self.eos_token_id == 2:  # configs written before transformers#24773: the EOS id is the largest id
            eos = ids.argmax(dim=-1)
        else:
            eos = (ids == self.eos_token_id).int().argmax(dim=-1)
        pooled = last[torch.arange(ids.shape[0], device=ids.device), eos]
        return ClipOutput(hidden, last, pooled, None if self.projection is None else F.linear(pooled, self.projection))
