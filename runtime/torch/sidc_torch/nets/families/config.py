"""diffusers ``transformer/config.json`` -> the architecture of one of the paper's families, as
runtime/tfjs/families/config.ts parses it: field names and defaults are those of the model classes' __init__
(SanaTransformer2DModel, SD3Transformer2DModel, FluxTransformer2DModel), so a config that omits a key means
what diffusers would build from it. The result is a plain dict with the diffusers keys plus ``family``.
All problems of one file are reported together in one ValueError naming the file.
"""
from __future__ import annotations

import json
import math
import os
from typing import Any, Dict, List

CLASS_NAMES = {'SanaTransformer2DModel': 'sana', 'SD3Transformer2DModel': 'sd3', 'FluxTransformer2DModel': 'flux'}

_NUM, _FLOAT, _BOOL, _STR, _INTS, _NUM_OR_NULL = 'int', 'float', 'bool', 'str', 'ints', 'num_or_null'

# key -> (kind, default[, allowed strings])
SANA_FIELDS = {
    'in_channels': (_NUM, 32), 'num_attention_heads': (_NUM, 70), 'attention_head_dim': (_NUM, 32), 'num_layers': (_NUM, 20),
    'num_cross_attention_heads': (_NUM, 20), 'cross_attention_head_dim': (_NUM, 112), 'cross_attention_dim': (_NUM, 2240),
    'caption_channels': (_NUM, 2304), 'mlp_ratio': (_FLOAT, 2.5), 'attention_bias': (_BOOL, False), 'sample_size': (_NUM, 32),
    'patch_size': (_NUM, 1), 'norm_elementwise_affine': (_BOOL, False), 'norm_eps': (_FLOAT, 1e-6),
    'interpolation_scale': (_NUM_OR_NULL, None), 'guidance_embeds': (_BOOL, False),
    'qk_norm': (_STR, None, ['rms_norm_across_heads']), 'guidance_embeds_scale': (_FLOAT, 0.1), 'timestep_scale': (_FLOAT, 1),
}
SD3_FIELDS = {
    'sample_size': (_NUM, 128), 'patch_size': (_NUM, 2), 'in_channels': (_NUM, 16), 'num_layers': (_NUM, 18),
    'attention_head_dim': (_NUM, 64), 'num_attention_heads': (_NUM, 18), 'joint_attention_dim': (_NUM, 4096),
    'caption_projection_dim': (_NUM, 1152), 'pooled_projection_dim': (_NUM, 2048), 'pos_embed_max_size': (_NUM, 96),
    'dual_attention_layers': (_INTS, []), 'qk_norm': (_STR, None, ['rms_norm']),
}
FLUX_FIELDS = {
    'patch_size': (_NUM, 1), 'in_channels': (_NUM, 64), 'num_layers': (_NUM, 19), 'num_single_layers': (_NUM, 38),
    'attention_head_dim': (_NUM, 128), 'num_attention_heads': (_NUM, 24), 'joint_attention_dim': (_NUM, 4096),
    'pooled_projection_dim': (_NUM, 768), 'guidance_embeds': (_BOOL, False), 'axes_dims_rope': (_INTS, [16, 56, 56]),
}
FIELDS = {'sana': SANA_FIELDS, 'sd3': SD3_FIELDS, 'flux': FLUX_FIELDS}
# the order runtime/tfjs/families/config.ts lists the keys in (the net's `config` dict keeps it)
ORDER = {
    'sana': ['in_channels', 'out_channels', 'num_attention_heads', 'attention_head_dim', 'num_layers', 'num_cross_attention_heads',
             'cross_attention_head_dim', 'cross_attention_dim', 'caption_channels', 'mlp_ratio', 'attention_bias', 'sample_size',
             'patch_size', 'norm_elementwise_affine', 'norm_eps', 'interpolation_scale', 'guidance_embeds', 'qk_norm',
             'guidance_embeds_scale', 'timestep_scale'],
    'sd3': ['sample_size', 'patch_size', 'in_channels', 'out_channels', 'num_layers', 'attention_head_dim', 'num_attention_heads',
            'joint_attention_dim', 'caption_projection_dim', 'pooled_projection_dim', 'pos_embed_max_size', 'dual_attention_layers', 'qk_norm'],
    'flux': ['patch_size', 'in_channels', 'out_channels', 'num_layers', 'num_single_layers', 'attention_head_dim', 'num_attention_heads',
             'joint_attention_dim', 'pooled_projection_dim', 'guidance_embeds', 'axes_dims_rope'],
}


def hidden_of(c: Dict[str, Any]) -> int:
    """Hidden width D = heads x head_dim (the discriminator's D, docs/algorithm.md §6)."""
    return c['num_attention_heads'] * c['attention_head_dim']


def _field(j: Dict[str, Any], key: str, spec: tuple, problems: List[str]) -> Any:
    kind, dflt = spec[0], spec[1]
    v = j.get(key)
    if v is None:
        v = dflt
    if kind in (_NUM, _FLOAT) or (kind == _NUM_OR_NULL and v is not None):
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0 and (kind != _NUM or float(v).is_integer())
        if not ok:
            problems.append(f'"{key}" must be a{" non-negative integer" if kind == _NUM else " number"}, got {json.dumps(j.get(key))}')
            return 0
        return int(v) if kind == _NUM else v
    if kind == _BOOL:
        if not isinstance(v, bool):
            problems.append(f'"{key}" must be true or false, got {json.dumps(v)}')
            return False
        return v
    if kind == _STR:
        if v is not None and v not in spec[2]:
            problems.append(f'"{key}" {json.dumps(v)} is not supported (supported: {", ".join(spec[2])} or null)')
            return None
        return v
    if kind == _INTS:
        if not isinstance(v, list) or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in v):
            problems.append(f'"{key}" must be a list of non-negative integers, got {json.dumps(v)}')
            return []
        return list(v)
    return v  # num_or_null with null


def _check(c: Dict[str, Any], problems: List[str]) -> None:
    """Cross-field rules the model classes assume (a violation would fail deep inside a forward pass)."""
    d = hidden_of(c)
    if d == 0:
        problems.append('num_attention_heads x attention_head_dim is 0')
    f = c['family']
    if f == 'sana':
        if c['cross_attention_dim'] != d:
            problems.append(f'"cross_attention_dim" {c["cross_attention_dim"]} must equal the hidden width {d} (captions are projected to it)')
        if c['patch_size'] < 1:
            problems.append('"patch_size" must be >= 1')
    if f == 'sd3':
        if c['caption_projection_dim'] != d:
            problems.append(f'"caption_projection_dim" {c["caption_projection_dim"]} must equal num_attention_heads x attention_head_dim = {d}')
        bad = [i for i in c['dual_attention_layers'] if i >= c['num_layers']]
        if bad:
            problems.append(f'"dual_attention_layers" names layers {", ".join(map(str, bad))} but there are only {c["num_layers"]}')
        if c['patch_size'] < 1:
            problems.append('"patch_size" must be >= 1')
    if f == 'flux':
        axes = c['axes_dims_rope']
        if sum(axes) != c['attention_head_dim']:
            problems.append(f'"axes_dims_rope" {axes} sums to {sum(axes)}, but attention_head_dim is {c["attention_head_dim"]}')
        if len(axes) != 3 or any(a % 2 for a in axes):
            problems.append('"axes_dims_rope" must hold 3 even sizes (text/row/column axes)')
        if c['patch_size'] != 1:
            problems.append(f'"patch_size" {c["patch_size"]}: FLUX packs 2x2 latents outside the transformer, patch_size must be 1')
        if c['in_channels'] % 4:
            problems.append(f'"in_channels" {c["in_channels"]} must be 4 x latent channels (2x2 packing)')


def parse_family_config(j: Any, file: str) -> Dict[str, Any]:
    """Parses a config object; ``file`` names it in errors."""
    if not isinstance(j, dict):
        raise ValueError(f'{file}: not a JSON object')
    cls = j.get('_class_name')
    family = CLASS_NAMES.get(cls) if isinstance(cls, str) else None
    if family is None:
        raise ValueError(f'{file}: "_class_name" is {json.dumps(cls)}; sidc loads {", ".join(CLASS_NAMES)} (point at the model\'s transformer/ folder)')
    problems: List[str] = []
    c: Dict[str, Any] = {'family': family}
    for key, spec in FIELDS[family].items():
        c[key] = _field(j, key, spec, problems)
    c['out_channels'] = c['in_channels'] if j.get('out_channels') is None else _field(j, 'out_channels', (_NUM, c['in_channels']), problems)
    _check(c, problems)
    if problems:
        raise ValueError(f'{file}: invalid {cls} config:\n  ' + '\n  '.join(problems))
    return {'family': family, **{k: c[k] for k in ORDER[family]}}


def transformer_dir(d: str) -> str:
    """``d`` may be the model root (with transformer/) or the transformer folder itself."""
    t = os.path.join(d, 'transformer')
    return t if os.path.isfile(os.path.join(t, 'config.json')) else d


def read_family_config(tdir: str) -> Dict[str, Any]:
    """Reads and parses ``tdir/config.json``."""
    file = os.path.join(tdir, 'config.json')
    try:
        with open(file, encoding='utf8') as f:
            text = f.read()
    except OSError:
        raise ValueError(f'{file}: not found (expected a diffusers transformer folder: config.json + *.safetensors)') from None
    try:
        j = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f'{file}: invalid JSON ({e})') from None
    return parse_family_config(j, file)


def config_entries(c: Dict[str, Any], latent_height: int, latent_width: int) -> Dict[str, Any]:
    """The net's ``config`` dict as the tfjs engine's FamilyNet writes it (saved with checkpoints): numbers
    and strings as they are, anything else (booleans, null, lists) as JSON text, plus the latent size."""
    out: Dict[str, Any] = {}
    for k, v in c.items():
        out[k] = v if isinstance(v, (int, float, str)) and not isinstance(v, bool) else json.dumps(v, separators=(',', ':'))
    out['latent_height'] = latent_height
    out['latent_width'] = latent_width
    return out
