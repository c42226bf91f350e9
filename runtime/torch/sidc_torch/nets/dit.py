"""sidc's small caption-conditioned DiT (Peebles & Xie 2023) as a velocity net of the torch engine: the
module of runtime/tfjs/nets/dit.ts behind the interface of runtime/tfjs/loop/dit-net.ts.

The net predicts rectified-flow velocity v ~ eps - x0 (docs/algorithm.md §1). Conditions are caption
indices: 0..K-1 the dataset's captions (MNIST: "a handwritten digit <d>"), K = the empty caption, which the
bag-of-words text encoder pools to the zero vector - classifier-free guidance's null condition. The text
encoder is the teacher's and stays frozen (a buffer, not a parameter).

Parameter names are the tfjs engine's (diffusers' SD3-style names), so a file loads in both engines:
  pos_embed.proj                        patch embedding, a Linear [D, C*p*p] on (c, py, px) patch features
  time_text_embed.timestep_embedder.*   sinusoid(t x input_scale) -> MLP
  time_text_embed.text_embedder.*       pooled caption embedding -> MLP
  transformer_blocks.{i}.norm1.linear   adaLN-Zero, 6 x D (shift, scale, gate for attention and MLP)
  transformer_blocks.{i}.attn.to_{q,k,v,out.0}, transformer_blocks.{i}.ff.net.{0.proj,2}
  norm_out.linear (scale, shift), proj_out
  text_encoder.token_embedding.weight   the caption encoder's word embeddings [V, textDim] (buffer)
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields
from typing import Any, Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..formats.safetensors import read
from .checkpointing import run_block
from .layers import Attention, FeedForward, AdaLNLinear, TimestepEmbedding, layer_norm, modulate, patchify, sincos_pos_embed_2d, timestep_sinusoid, unpatchify

TOKEN_EMBEDDING = 'text_encoder.token_embedding.weight'
DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']
MNIST_VOCAB = ['<unk>', 'a', 'handwritten', 'digit', *DIGIT_WORDS]


def mnist_captions() -> List[str]:
    """The ten MNIST captions, condition d = digit d (runtime/data/mnist.ts mnistCaption)."""
    return [f'a handwritten digit {w}' for w in DIGIT_WORDS]


@dataclass
class DiTConfig:
    """Architecture of runtime/tfjs/nets/dit.ts's DiTConfig (same camelCase keys: the file metadata's JSON)."""
    name: str
    channels: int
    height: int
    width: int
    patch: int
    hidden: int
    depth: int
    heads: int
    mlpRatio: float
    textDim: int
    freqDim: int
    timeScale: float
    vocab: List[str]

    @staticmethod
    def from_json(raw: Dict[str, Any]) -> 'DiTConfig':
        """From a metadata config (vocab as a list or a JSON string, extra keys ignored)."""
        d = {f.name: raw.get(f.name) for f in fields(DiTConfig)}
        missing = [k for k, v in d.items() if v is None]
        if missing:
            raise ValueError(f'DiT config lacks {", ".join(missing)}')
        if isinstance(d['vocab'], str):
            d['vocab'] = json.loads(d['vocab'])
        return DiTConfig(**d)

    @property
    def tokens(self) -> int:
        return (self.height // self.patch) * (self.width // self.patch)


def tokenize(caption: str) -> List[str]:
    """Lower-case words of a caption (letters and digits), as runtime/tfjs/nets/dit-text.ts splits them."""
    return re.findall(r'[a-z0-9]+', caption.lower())


def bag_of_words(vocab: Sequence[str], captions: Sequence[str]) -> torch.Tensor:
    """Captions -> [B, V] word frequencies / caption length; the empty caption is the zero row."""
    index = {w: i for i, w in enumerate(vocab)}
    m = torch.zeros(len(captions), len(vocab), dtype=torch.float32)
    for b, c in enumerate(captions):
        words = tokenize(c)
        for w in words:
            i = index.get(w, index.get('<unk>'))
            if i is None:
                raise ValueError(f'caption "{c}": word "{w}" is not in the text encoder\'s vocabulary')
            m[b, i] += 1 / len(words)
    return m


class DiTBlock(nn.Module):
    """One DiT block with adaLN-Zero (diffusers AdaLayerNormZero chunk order). x [B, N, D], sc = SiLU(c) [B, D]."""

    def __init__(self, dim: int, heads: int, ff_hidden: int):
        super().__init__()
        self.norm1 = AdaLNLinear(dim, 6)
        self.attn = Attention(dim, heads, dim // heads)
        self.ff = FeedForward(dim, ff_hidden)

    def forward(self, x: torch.Tensor, sc: torch.Tensor) -> torch.Tensor:
        sh_a, sc_a, g_a, sh_m, sc_m, g_m = self.norm1(sc)
        x = x + g_a[:, None] * self.attn.self_attention(modulate(layer_norm(x), sh_a, sc_a))
        return x + g_m[:, None] * self.ff(modulate(layer_norm(x), sh_m, sc_m))


class DiTNet(nn.Module):
    """The DiT as an engine velocity net: forward(x [B, C*H*W], t [B] (x graph time_scale), c [B] caption
    index) -> v [B, C*H*W]. The DiT sees t x input_scale, which makes it t x its own timeScale."""

    kind = 'dit'
    gradient_checkpointing = False  # set per stage from hardware.gradient_checkpointing (checkpointing.py)

    def __init__(self, config: DiTConfig, captions: Sequence[str], input_scale: float = 1.0):
        super().__init__()
        c = config
        if c.height % c.patch or c.width % c.patch:
            raise ValueError(f'{c.name}: image size not divisible by patch {c.patch}')
        if c.hidden % c.heads or c.hidden % 4:
            raise ValueError(f'{c.name}: hidden {c.hidden} must divide by heads and 4')
        self.dit_config = c
        self.captions = list(captions)
        self.input_scale = float(input_scale)
        self.null_condition = len(self.captions)
        cfg = {k: v for k, v in asdict(c).items() if k != 'vocab'}
        # the tfjs engine's DitNet.config (saved with students): JS prints an integral number without '.0'
        scale: float | int = int(self.input_scale) if self.input_scale.is_integer() else self.input_scale
        self.config: Dict[str, Any] = {**cfg, 'vocab': json.dumps(c.vocab, separators=(',', ':')),
                                       'captions': json.dumps(self.captions, separators=(',', ':')), 'input_scale': scale}
        D = c.hidden
        ff = round(D * c.mlpRatio)
        self.pos_embed = nn.Module()
        self.pos_embed.proj = nn.Linear(c.channels * c.patch * c.patch, D)
        self.time_text_embed = nn.Module()
        self.time_text_embed.timestep_embedder = TimestepEmbedding(c.freqDim, D)
        self.time_text_embed.text_embedder = TimestepEmbedding(c.textDim, D)  # same linear_1 -> SiLU -> linear_2
        self.transformer_blocks = nn.ModuleList([DiTBlock(D, c.heads, ff) for _ in range(c.depth)])
        self.norm_out = AdaLNLinear(D, 2)
        self.proj_out = nn.Linear(D, c.patch * c.patch * c.channels)
        self.text_encoder = nn.Module()
        self.text_encoder.token_embedding = nn.Module()
        self.text_encoder.token_embedding.register_buffer('weight', torch.zeros(len(c.vocab), c.textDim))
        # fixed tables: not checkpoint entries
        self.register_buffer('pos_table', sincos_pos_embed_2d(D, c.height // c.patch, c.width // c.patch)[None], persistent=False)
        self.register_buffer('bow', bag_of_words(c.vocab, [*self.captions, '']), persistent=False)

    @property
    def dim(self) -> int:
        c = self.dit_config
        return c.channels * c.height * c.width

    def caption_table(self) -> torch.Tensor:
        """Pooled caption embeddings of conditions 0..K [K + 1, textDim] (row K: the empty caption, zeros)."""
        return self.bow.float() @ self.text_encoder.token_embedding.weight.float()

    def final_hidden(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """Hidden states after the final adaLN norm, before proj_out: [B, N, D].
        x [B, C*H*W] float, t [B] (x graph time_scale), c [B] caption indices."""
        k = self.dit_config
        dtype = self.proj_out.weight.dtype
        b = x.shape[0]
        img = x.reshape(b, k.channels, k.height, k.width).to(dtype)
        cond = self.caption_table()[c.long()].to(dtype)
        h = self.pos_embed.proj(patchify(img, k.patch)) + self.pos_table.to(dtype)
        temb = self.time_text_embed.timestep_embedder(timestep_sinusoid(t * self.input_scale, k.freqDim).to(dtype))
        sc = F.silu(temb + self.time_text_embed.text_embedder(cond))  # [B, D], shared by every adaLN
        for blk in self.transformer_blocks:
            h = run_block(self, blk, h, sc)
        scale, shift = self.norm_out(sc)
        return modulate(layer_norm(h), shift, scale)

    def forward(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """v(x, t, c) [B, C*H*W] (docs/algorithm.md §1: v ~ eps - x0), in x's dtype."""
        k = self.dit_config
        out = self.proj_out(self.final_hidden(x, t, c))
        return unpatchify(out, k.patch, k.channels, k.height, k.width).reshape(x.shape[0], -1).to(x.dtype)

    def features(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """The discriminator's token features [B, N, D]: hidden states after the final norm (docs/algorithm.md §6)."""
        return self.final_hidden(x, t, c).to(x.dtype)

    def export_tensors(self) -> Dict[str, torch.Tensor]:
        """Every tensor of the DiT file layout (what load_dit_file reads), the frozen text encoder included."""
        return dict(self.state_dict())


def dit_from_tensors(tensors: Dict[str, torch.Tensor], metadata: Dict[str, str], source: str, *,
                     captions: Optional[Sequence[str]] = None, input_scale: Optional[float] = None,
                     dtype: Optional[torch.dtype] = None, device: Optional[torch.device | str] = None) -> DiTNet:
    """A DiTNet from a DiT file's tensors and metadata (the shipped teacher: metadata `config` = DiTConfig;
    a student saved by sidc adds `captions` and `input_scale`). Problems name ``source``."""
    try:
        raw = json.loads(metadata.get('config', 'null'))
    except json.JSONDecodeError:
        raise ValueError(f'{source}: the "config" entry of its safetensors metadata is not JSON; was the file edited by hand?') from None
    if not isinstance(raw, dict):
        raise ValueError(f'{source}: no DiT config in the safetensors metadata - is it a DiT teacher or student file?')
    try:
        config = DiTConfig.from_json(raw)
    except ValueError as e:
        raise ValueError(f'{source}: {e}') from None
    if captions is None:
        captions = json.loads(raw['captions']) if isinstance(raw.get('captions'), str) else mnist_captions()
    if input_scale is None:
        input_scale = float(raw['input_scale']) if isinstance(raw.get('input_scale'), (int, float)) else 1.0
    net = DiTNet(config, captions, input_scale)
    expected = net.state_dict()
    problems = [f'missing "{k}"' for k in expected if k not in tensors]
    problems += [f'"{k}" is {list(tensors[k].shape)}, expected {list(v.shape)}' for k, v in expected.items() if k in tensors and tensors[k].shape != v.shape]
    problems += [f'unexpected "{k}"' for k in tensors if k not in expected]
    if problems:
        raise ValueError(f'{source}: not a {config.name} DiT file: {"; ".join(problems[:5])}{" ..." if len(problems) > 5 else ""}')
    net.load_state_dict({k: tensors[k].float() for k in expected})
    return net.to(device=device, dtype=dtype or torch.float32)


def load_dit_file(path: str, *, captions: Optional[Sequence[str]] = None, input_scale: Optional[float] = None,
                  dtype: Optional[torch.dtype] = None, device: Optional[torch.device | str] = None) -> DiTNet:
    """Loads a DiT teacher or student file (examples/teachers/dit-mnist.safetensors; sidc's student files).
    The DiT sees t x input_scale: pass timeScale / teacher.time_scale (runtime/tfjs/loop/dit-stage.ts)."""
    tensors, metadata = read(path)
    return dit_from_tensors(tensors, metadata, path, captions=captions, input_scale=input_scale, dtype=dtype, device=device)
