"""An encoder folder of a diffusers checkpoint (text_encoder/, text_encoder_2/, ...): its transformers
config.json and its weights (model.safetensors, or model-0000i-of-0000n.safetensors + the index), by
transformers' state-dict names and in their stored dtype (sidc_torch/formats/safetensors.py)."""
from __future__ import annotations

import json
import os
from typing import Dict, Tuple

import torch

from ..formats.safetensors import SafetensorsError, read_checkpoint
from . import EncoderError


def read_config(folder: str) -> dict:
    path = os.path.join(folder, 'config.json')
    if not os.path.isfile(path):
        raise EncoderError(f'{path}: missing; an encoder folder holds the transformers config.json and its safetensors')
    try:
        with open(path, encoding='utf8') as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise EncoderError(f'{path}: cannot read: {e}') from None


def read_weights(folder: str) -> Dict[str, torch.Tensor]:
    """transformers' default files first (the hub repos also ship variants such as model.fp16.safetensors):
    model.safetensors.index.json, model.safetensors, else the one index or the one .safetensors there is."""
    files = sorted(os.listdir(folder))
    idx = [f for f in files if f.endswith('.safetensors.index.json')]
    single = [f for f in files if f.endswith('.safetensors')]
    for pick in ('model.safetensors.index.json', 'model.safetensors'):
        if pick in files:
            name = pick
            break
    else:
        if len(idx) + len(single) != 1:
            raise EncoderError(f'{folder}: expected model.safetensors or model.safetensors.index.json with its shards; found {", ".join(idx + single) or "none"}')
        name = (idx + single)[0]
    try:
        return read_checkpoint(os.path.join(folder, name))[0]
    except SafetensorsError as e:
        raise EncoderError(str(e)) from None


def load_encoder(folder: str) -> Tuple[dict, Dict[str, torch.Tensor]]:
    if not os.path.isdir(folder):
        raise EncoderError(f'{folder}: no such encoder folder')
    return read_config(folder), read_weights(folder)


def take(w: Dict[str, torch.Tensor], name: str, folder: str) -> torch.Tensor:
    """Removes and returns one weight: the stored copy is freed as soon as its cast copy exists (T5-XXL: 9.5 GB in bf16)."""
    if name not in w:
        raise EncoderError(f'{folder}: the weights have no {name!r} (is this the encoder its config.json describes?)')
    return w.pop(name)
