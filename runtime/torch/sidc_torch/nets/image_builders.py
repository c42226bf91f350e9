"""Registry builders of the image nets (nets/protocol.py: ``builder(spec) -> net``) for teacher families
dit, sana, sd3 and flux: the graph's teacher settings -> the frozen teacher phi (read once per process, as
runtime/tfjs/loop/dit-stage.ts and family-stage.ts cache it), or a copy of it (psi, G), or the teacher's
architecture with other weights (spec.tensors: a student file, an earlier stage's product).

Graph settings read: teacher.checkpoint (DiT file / diffusers folder, relative to the recipe's folder when
it exists there), teacher.time_scale (DiT: it sees t x its own timeScale), data.dataset (DiT captions),
data.text = precomputed(PATH) or encoder (with data.prompts and hardware.text_encoders: the teacher's own text
encoders run in the process, nets/families/encoded_text.py), data.resolution, teacher.objective (trigflow
for SANA-Sprint teachers).
"""
from __future__ import annotations

import copy
import json
import os
from typing import Any, Dict, Tuple

import torch

from ..graph import config_value
from . import register
from .dit import DiTNet, dit_from_tensors, load_dit_file, mnist_captions
from .families import FamilyNet
from .families.load import load_family_teacher, load_weights
from .protocol import NetSpec

IMAGE_FAMILIES = ('dit', 'sana', 'sd3', 'flux')


class InitError(ValueError):
    """A recipe setting that cannot build the net: the message names the setting and the fix."""


def _num(v: Any, d: float) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else d


def recipe_path(graph: dict, p: str) -> str:
    """A path from the recipe: relative to the recipe's folder when it exists there, else to the cwd."""
    if os.path.isabs(p):
        return p
    f = (graph.get('recipe') or {}).get('file')
    beside = os.path.join(os.path.dirname(os.path.abspath(f)), p) if f else None
    return beside if beside and os.path.exists(beside) else os.path.abspath(p)


def dataset_captions(graph: dict):
    name = str(config_value(graph, 'data.dataset') or 'mnist')
    if name != 'mnist':
        raise InitError(f'data.dataset = "{name}": only "mnist" is available offline for the dit teacher')
    return mnist_captions()


def _dit_teacher_path(graph: dict) -> str:
    ck = config_value(graph, 'teacher.checkpoint')
    if not isinstance(ck, str):
        raise InitError('teacher dit: set `checkpoint = "teachers/dit-mnist.safetensors"` (the trained DiT teacher)')
    path = recipe_path(graph, ck)
    if not os.path.exists(path):
        raise InitError(f'teacher.checkpoint: {path} does not exist (train one with `sidc run examples/mnist-teacher.sid`, see docs/dit.md)')
    return path


def family_checkpoint(graph: dict) -> str:
    family = str(config_value(graph, 'teacher.family'))
    ck = config_value(graph, 'teacher.checkpoint')
    make = f'sidc make-tiny {family} DIR writes a tiny one'
    if not isinstance(ck, str):
        raise InitError(f'teacher {family}: set `checkpoint = "DIR"`, a diffusers model folder with transformer/config.json ({make})')
    path = recipe_path(graph, ck)
    if not os.path.exists(path):
        raise InitError(f'teacher.checkpoint: {path} does not exist; point it at a diffusers model folder with transformer/config.json and its safetensors ({make})')
    if not os.path.isdir(path):
        raise InitError(f'teacher.checkpoint: {path} is a file; a {family} teacher is a diffusers model folder (transformer/config.json + safetensors)')
    return path


def text_mode(graph: dict) -> str:
    text = config_value(graph, 'data.text') or {}
    return str(text.get('mode')) if isinstance(text, dict) else ''


def text_encodings_path(graph: dict) -> str:
    text = config_value(graph, 'data.text') or {}
    if not isinstance(text, dict) or text.get('mode') != 'precomputed' or not isinstance(text.get('path'), str):
        raise InitError('data.text: a text teacher reads `data.text = precomputed("cache/text")` (`sidc encode-prompts`, docs/text-encodings.md) '
                        'or runs its own encoders with `data.text = encoder` and `data.prompts`')
    p = recipe_path(graph, text['path'])
    file = os.path.join(p, 'text.safetensors') if os.path.isdir(p) else p
    if not os.path.exists(file):
        raise InitError(f'data.text: {file} does not exist; write the prompts\' encodings there (docs/text-encodings.md; sidc make-tiny writes a matching one)')
    return file


_teachers: Dict[Tuple, torch.nn.Module] = {}


def dit_teacher(graph: dict, device: str = 'cpu') -> DiTNet:
    """phi of a dit recipe, read once per process per (file, time_scale, device)."""
    path = _dit_teacher_path(graph)
    time_scale = _num(config_value(graph, 'teacher.time_scale'), 1)
    key = ('dit', path, time_scale, device)
    if key not in _teachers:
        probe = load_dit_file(path, captions=dataset_captions(graph))
        net = load_dit_file(path, captions=dataset_captions(graph), input_scale=probe.dit_config.timeScale / time_scale, device=device)
        _teachers[key] = net.requires_grad_(False)
    return _teachers[key]  # type: ignore[return-value]


def _encoder_dtype(graph: dict, device: str) -> torch.dtype:
    """The dtype the text encoders compute in inside a run: bfloat16 on a GPU when a stage trains in pure bf16
    (the paper's BF16 pipeline, and what `sidc plan` counts), else float32."""
    bf16 = any((s.get('precision') or {}).get('policy') == 'bf16' for s in graph.get('stages', []))
    return torch.bfloat16 if bf16 and str(device).startswith('cuda') else torch.float32


def _in_run_text(graph: dict, family: str, checkpoint: str, device: str):
    """data.text = encoder: the prompts of data.prompts through the checkpoint's own encoders (encoded_text.py)."""
    from ..encoders import EncoderError
    from ..events import log
    from .families.encoded_text import in_run_text
    prompts = config_value(graph, 'data.prompts')
    if not isinstance(prompts, str):
        raise InitError('data.text = encoder: the encoders need the prompts; set `data.prompts = "data/prompts.txt"` (one prompt a line)')
    placement = str(config_value(graph, 'hardware.text_encoders') or 'streamed')
    tokens = (config_value(graph, 'data.text') or {}).get('tokens')  # encoder(N)
    try:
        return in_run_text(checkpoint, family, recipe_path(graph, prompts), placement, device, _encoder_dtype(graph, device), log, tokens)
    except ImportError as e:  # sentencepiece, for the T5 and Gemma tokenizers
        raise InitError(f'data.text = encoder: {e}; the tokenizers need python3-sentencepiece (`sidc doctor` says what is missing)') from None
    except (EncoderError, ValueError) as e:
        raise InitError(f'data.text = encoder: {e}') from None


def family_teacher(graph: dict, device: str = 'cpu') -> FamilyNet:
    """phi of a sana / sd3 / flux recipe, read once per process per (checkpoint, text, resolution, objective, device)."""
    family = str(config_value(graph, 'teacher.family'))
    checkpoint = family_checkpoint(graph)
    encoder = text_mode(graph) == 'encoder'
    text = ('encoder', json.dumps(config_value(graph, 'data.text')), config_value(graph, 'data.prompts'), config_value(graph, 'hardware.text_encoders')) \
        if encoder else text_encodings_path(graph)
    resolution = int(_num(config_value(graph, 'data.resolution'), 0))
    objective = 'trigflow' if config_value(graph, 'teacher.objective') == 'trigflow' else 'rectified_flow'
    key = (family, checkpoint, text, resolution, objective, device)
    if key not in _teachers:
        source = _in_run_text(graph, family, checkpoint, device) if encoder else text
        try:
            net = load_family_teacher(checkpoint, source, resolution=resolution or None, objective=objective, device=device)
        except ValueError as e:
            raise InitError(str(e)) from None
        if net.kind != family:
            raise InitError(f"teacher.checkpoint: {checkpoint} holds a {net.kind} transformer, but the recipe's teacher is {family}; "
                            f'use `teacher {net.kind} {{ ... }}` or another checkpoint')
        _teachers[key] = net.requires_grad_(False)
    return _teachers[key]  # type: ignore[return-value]


def teacher_of(graph: dict, device: str = 'cpu') -> torch.nn.Module:
    return dit_teacher(graph, device) if str(config_value(graph, 'teacher.family')) == 'dit' else family_teacher(graph, device)


def with_weights(phi: torch.nn.Module, tensors: Dict[str, torch.Tensor], source: str, trainable: bool) -> torch.nn.Module:
    """phi's architecture with ``tensors`` (checkpoint names; a DiT file may omit its frozen text encoder)."""
    net = copy.deepcopy(phi)
    if isinstance(net, DiTNet):
        tensors = {**{k: v for k, v in net.state_dict().items() if k not in tensors}, **tensors}
    try:
        load_weights(net, tensors, source)
    except ValueError as e:
        raise InitError(str(e)) from None
    return net.requires_grad_(trainable)


def build_image_net(spec: NetSpec) -> torch.nn.Module:
    """spec.init 'teacher': phi itself when frozen (shared, never copied), a copy when trainable;
    spec.tensors: phi's architecture with those weights (source named by spec.extra['source'])."""
    phi = teacher_of(spec.graph, spec.device)
    if spec.tensors is not None:
        return with_weights(phi, spec.tensors, str(spec.extra.get('source', spec.name)), spec.trainable)
    if spec.init != 'teacher':
        raise InitError(f"net {spec.name}: init '{spec.init}' is not available for a {phi.kind} teacher (teacher | stage:<name> | a .safetensors student)")
    return copy.deepcopy(phi).requires_grad_(True) if spec.trainable else phi


def load_student(path: str, spec: NetSpec) -> torch.nn.Module:
    """A student file saved by either engine on the teacher's architecture."""
    from ..formats.safetensors import read
    tensors, metadata = read(path)
    if str(config_value(spec.graph, 'teacher.family')) == 'dit':
        phi = dit_teacher(spec.graph, spec.device)
        return dit_from_tensors(tensors, metadata, path, captions=phi.captions, input_scale=phi.input_scale,
                                device=spec.device).requires_grad_(spec.trainable)
    return with_weights(family_teacher(spec.graph, spec.device), tensors, path, spec.trainable)


for _family in IMAGE_FAMILIES:
    register(_family, build_image_net)
