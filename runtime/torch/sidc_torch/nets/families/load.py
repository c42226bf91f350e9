"""Loading a family teacher from a diffusers checkpoint folder (runtime/tfjs/families/load.ts + teacher.ts):
transformer/config.json -> family config -> the module (diffusers' tree) -> a key/shape check of the
shards against it (from the headers), every problem reported at once -> the weights, read one tensor at a
time and cast straight from their stored dtype (F32 / F16 / BF16) into the module in the requested dtype on the
requested device. So the host holds the module plus one stored tensor, not a second copy of the checkpoint:
with N processes on one node each reads the files itself (bench/teacher-load.bench.ts measures the peak).
"""
from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Tuple, Union

import torch
import torch.nn as nn

from ...formats.safetensors import Checkpoint
from . import VAE_DOWNSAMPLE, family_class
from .base import FamilyNet
from .config import read_family_config, transformer_dir
from .text import TextTable, read_text_encodings

if TYPE_CHECKING:  # the encoders are imported only by a run that encodes text itself
    from .encoded_text import EncodedText


def key_problems(expected: Dict[str, torch.Size], found: Dict[str, Tuple[int, ...]]) -> List[str]:
    """Missing, unexpected and mis-shaped names (``found``: name -> shape), sorted (the checkpoint contract)."""
    out = [f'missing key {n}' for n in sorted(expected) if n not in found]
    out += [f'unexpected key {n}' for n in sorted(found) if n not in expected]
    out += [f'mis-shaped key {n}: expected {list(expected[n])}, found {list(found[n])}'
            for n in sorted(expected) if n in found and tuple(found[n]) != tuple(expected[n])]
    return out


def load_weights(net: torch.nn.Module, tensors: Union[Dict[str, torch.Tensor], Checkpoint], source: str) -> None:
    """Copies ``tensors`` (any float dtype, any device; a dict, or a Checkpoint read tensor by tensor) into the
    net's parameters after checking every name and shape; raises one ValueError listing all problems."""
    state = net.state_dict()
    shapes = tensors.shapes if isinstance(tensors, Checkpoint) else {k: tuple(v.shape) for k, v in tensors.items()}
    problems = key_problems({k: v.shape for k, v in state.items()}, shapes)
    if problems:
        raise ValueError(f'{source}: checkpoint does not match its config.json:\n  ' + '\n  '.join(problems) +
                         '\n(fix: use the config.json that came with these weights, or weights saved by the matching diffusers class)')
    with torch.no_grad():
        for k, v in tensors.items():
            state[k].copy_(v)
            del v  # a streamed tensor is dropped before the next one is read


def latent_size(family: str, multiple: int, resolution: Optional[int], latent: Optional[Tuple[int, int]]) -> Tuple[int, int]:
    """The latent grid of a square image ``resolution`` px (VAE downsampling), or ``latent`` directly."""
    if latent is not None:
        return latent
    if not resolution:
        raise ValueError('give a resolution in px or the latent size')
    down = VAE_DOWNSAMPLE[family]
    side = resolution / down
    if not side.is_integer() or int(side) % multiple:
        raise ValueError(f'resolution {resolution} px: {family} needs a multiple of {down * multiple} px (VAE /{down}, patch {multiple})')
    return int(side), int(side)


@contextlib.contextmanager
def _without_random_init() -> Iterator[None]:
    """Module construction without the random init of Linear / Conv2d / LayerNorm: their storage is left
    uninitialised (untouched pages cost no memory) because load_weights overwrites every weight right after
    and refuses a checkpoint that lacks one. Saves minutes and a float32 copy on multi-billion-weight teachers."""
    saved = [(cls, cls.reset_parameters) for cls in (nn.Linear, nn.Conv2d, nn.LayerNorm)]
    try:
        for cls, _ in saved:
            cls.reset_parameters = lambda self: None  # type: ignore[assignment]
        yield
    finally:
        for cls, f in saved:
            cls.reset_parameters = f  # type: ignore[assignment]


def build_family_net(config: Dict, text: TextTable | EncodedText, latent: Tuple[int, int], tensors: Union[Dict[str, torch.Tensor], Checkpoint], source: str, *,
                     guidance: float = 1.0, objective: str = 'rectified_flow', dtype: torch.dtype = torch.float32,
                     device: Optional[torch.device | str] = None) -> FamilyNet:
    """The family module of ``config`` on ``device`` in ``dtype`` with ``tensors`` loaded (names checked)."""
    with _without_random_init():
        net = family_class(config['family'])(config, text, latent, guidance, objective)
    net = net.to(device=device, dtype=dtype)
    load_weights(net, tensors, source)
    return net


def load_family_teacher(checkpoint: str, text: str | TextTable | EncodedText, *, resolution: Optional[int] = None,
                        latent: Optional[Tuple[int, int]] = None, guidance: float = 1.0, objective: str = 'rectified_flow',
                        dtype: torch.dtype = torch.float32, device: Optional[torch.device | str] = None) -> FamilyNet:
    """A teacher from a diffusers model folder (model root with transformer/, or the transformer folder) and a
    text-encodings file (or an already read table, or rows encoded in the run). The module is built and cast to ``dtype`` first, then
    each stored tensor is copied in: bf16 shards become a bf16 net without a float32 copy of the checkpoint."""
    tdir = transformer_dir(checkpoint)
    config = read_family_config(tdir)
    if isinstance(text, str):
        probe_seq, probe_pooled = _text_dims(config)
        text = read_text_encodings(text, probe_seq, probe_pooled, f'{tdir} ({config["family"]})')
    multiple = 2 if config['family'] == 'flux' else config['patch_size']
    size = latent_size(config['family'], multiple, resolution, latent)
    return build_family_net(config, text, size, Checkpoint(tdir), tdir, guidance=guidance, objective=objective, dtype=dtype, device=device)


def _text_dims(config: Dict) -> Tuple[int, int]:
    """(sequence width, pooled width or 0) of a family config, before a module exists."""
    if config['family'] == 'sana':
        return config['caption_channels'], 0
    return config['joint_attention_dim'], config['pooled_projection_dim']
