#!/usr/bin/env python3
"""sidc's family transformers against diffusers' own (where diffusers is installed; nothing of sidc's nets is
shared with it). For a diffusers model folder (a `sidc make-tiny` teacher, or a student written by
`python -m sidc_torch export`):
  1. diffusers' XTransformer2DModel.from_pretrained(DIR, subfolder="transformer") loads it: missing,
     unexpected and mis-shaped keys as diffusers reports them (output_loading_info);
  2. one forward of diffusers' model and of sidc's torch-engine net (sidc_torch.nets.families) on the same
     random inputs - latents, timestep, text sequence, pooled text, SANA's padding mask, guidance - in float32.
The inputs follow the pipelines' conventions: FLUX's latents packed 2x2 with FluxPipeline._pack_latents and
its image / text position ids (_prepare_latent_image_ids, zeros for text), the timestep in [0, 1] (the
transformer multiplies by 1000, as sidc's net does); SD3 / SANA take the timestep as the scheduler gives it.

usage: PYTHONPATH=runtime/torch python3 scripts/reference/diffusers_check.py DIR [DIR ...] > result.json
On torch < 2 (Debian's 1.13 here) diffusers is imported through scripts/reference/torch2_shim.py, which adds
the torch 2 functions it calls (scaled_dot_product_attention in its textbook form, nn.RMSNorm) and stubs for
modules a forward never uses. sidc's outputs are all computed before that import, so sidc's nets run on the
plain torch (its own attention on torch 1.13; on torch 2 both use torch's fused attention).
"""
import json
import os
import sys

import torch

from sidc_torch.nets.families.base import FamilyInputs
from sidc_torch.nets.families.load import load_family_teacher
from sidc_torch.nets.families.text import TextTable

CLASSES = {'flux': 'FluxTransformer2DModel', 'sd3': 'SD3Transformer2DModel', 'sana': 'SanaTransformer2DModel'}
LATENT = {'flux': (4, 4), 'sd3': (4, 4), 'sana': (4, 4)}


def pack(x):
    """FluxPipeline._pack_latents: [B, C, H, W] -> [B, (H/2)(W/2), 4C]."""
    b, c, h, w = x.shape
    return x.view(b, c, h // 2, 2, w // 2, 2).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // 2) * (w // 2), c * 4)


def unpack(x, c, h, w):
    """FluxPipeline._unpack_latents at latent size h x w."""
    b = x.shape[0]
    return x.view(b, h // 2, w // 2, c, 2, 2).permute(0, 3, 1, 4, 2, 5).reshape(b, c, h, w)


def image_ids(h2, w2):
    """FluxPipeline._prepare_latent_image_ids: (0, row, column) per packed token."""
    ids = torch.zeros(h2, w2, 3)
    ids[..., 1] += torch.arange(h2)[:, None]
    ids[..., 2] += torch.arange(w2)[None, :]
    return ids.reshape(h2 * w2, 3)


def family_of(config):
    return next(f for f, cls in CLASSES.items() if config['_class_name'] == cls)


def sidc_side(root):
    """The random inputs and sidc's velocity on them (before diffusers, or its shim, is imported)."""
    config = json.load(open(os.path.join(root, 'transformer', 'config.json')))
    family = family_of(config)
    seq_dim = config.get('caption_channels') if family == 'sana' else config['joint_attention_dim']
    pooled_dim = 0 if family == 'sana' else config['pooled_projection_dim']
    b, l = 2, 7
    g = torch.Generator().manual_seed(0)
    rows = TextTable(['', 'p'], torch.zeros(2, l, seq_dim), torch.ones(2, l), torch.zeros(2, pooled_dim) if pooled_dim else None)
    net = load_family_teacher(root, rows, latent=LATENT[family]).eval()
    ch, (h, w) = net.latent_channels(), net.latent
    inp = {'x': torch.randn(b, ch, h, w, generator=g), 'text': torch.randn(b, l, seq_dim, generator=g),
           'pooled': torch.randn(b, pooled_dim, generator=g) if pooled_dim else None, 'mask': torch.ones(b, l),
           'guidance': torch.tensor([3.5, 4.5]), 't01': torch.tensor([0.3, 0.8])}
    inp['mask'][1, 4:] = 0  # padding in the second prompt (only SANA reads it)
    inp['timestep'] = inp['t01'] if family == 'flux' else inp['t01'] * 1000
    with torch.no_grad():
        ours = net.transformer(FamilyInputs(inp['x'], inp['timestep'], inp['text'], inp['mask'] if family == 'sana' else None,
                                            inp['pooled'], inp['guidance']))[1]
    return config, family, inp, ours


def diffusers_side(diffusers, root, config, family, inp):
    """diffusers' model from the folder: its loading report and its velocity on the same inputs."""
    model, info = getattr(diffusers, CLASSES[family]).from_pretrained(root, subfolder='transformer', torch_dtype=torch.float32,
                                                                     output_loading_info=True)
    model.eval()
    x, text, pooled, guidance = inp['x'], inp['text'], inp['pooled'], inp['guidance'] if config.get('guidance_embeds') else None
    ch, h, w = x.shape[1:]
    with torch.no_grad():
        if family == 'flux':
            out = model(hidden_states=pack(x), encoder_hidden_states=text, pooled_projections=pooled, timestep=inp['t01'],
                        img_ids=image_ids(h // 2, w // 2), txt_ids=torch.zeros(text.shape[1], 3), guidance=guidance, return_dict=False)[0]
            theirs = unpack(out, ch, h, w)
        elif family == 'sd3':
            theirs = model(hidden_states=x, encoder_hidden_states=text, pooled_projections=pooled, timestep=inp['timestep'], return_dict=False)[0]
        else:
            theirs = model(hidden_states=x, encoder_hidden_states=text, timestep=inp['timestep'], encoder_attention_mask=inp['mask'],
                           guidance=guidance, return_dict=False)[0]
    return info, sum(p.numel() for p in model.parameters()), theirs


def main(dirs):
    ours = {d: sidc_side(d) for d in dirs}
    if int(torch.__version__.split('.')[0]) < 2:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import torch2_shim  # noqa: F401
    import diffusers
    out = []
    for d, (config, family, inp, mine) in ours.items():
        info, params, theirs = diffusers_side(diffusers, d, config, family, inp)
        out.append({
            'dir': d, 'family': family, 'class': config['_class_name'], 'diffusers': diffusers.__version__, 'torch': torch.__version__,
            'missing_keys': list(info['missing_keys']), 'unexpected_keys': list(info['unexpected_keys']),
            'mismatched_keys': [list(map(str, k)) for k in info['mismatched_keys']], 'parameters': params, 'shape': list(theirs.shape),
            'max_abs_diff': float((mine - theirs).abs().max()), 'max_abs': float(theirs.abs().max()),
        })
    return out


if __name__ == '__main__':
    print(json.dumps(main(sys.argv[1:]), indent=1))
