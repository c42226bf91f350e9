#!/usr/bin/env python3
"""Bad inputs to the torch engine's image-net loaders give one ValueError that names the file and the fix
(image-nets-errors.test.ts runs this and checks the JSON it prints: {case: message or null}).
usage: image_nets_errors.py TINY_FLUX_ROOT SCRATCH_DIR"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'runtime', 'torch'))
import torch  # noqa: E402
from sidc_torch.formats.safetensors import read, write  # noqa: E402
from sidc_torch.nets.dit import load_dit_file  # noqa: E402
from sidc_torch.nets.families.config import parse_family_config  # noqa: E402
from sidc_torch.nets.families.load import load_family_teacher  # noqa: E402


def message(fn):
    try:
        fn()
    except ValueError as e:
        return str(e)
    return None


def main(root, scratch):
    out = {}
    tdir = os.path.join(root, 'transformer')
    # a shard that lost a tensor and gained a mis-shaped one
    bad = os.path.join(scratch, 'bad')
    shutil.copytree(root, bad)
    shard = sorted(f for f in os.listdir(os.path.join(bad, 'transformer')) if f.endswith('.safetensors'))[0]
    t, meta = read(os.path.join(bad, 'transformer', shard))
    gone, misshaped = sorted(t)[:2]
    t.pop(gone)
    t[misshaped] = torch.zeros(3, 3, dtype=torch.bfloat16)
    write(os.path.join(bad, 'transformer', shard), t, meta)
    index = json.load(open(os.path.join(bad, 'transformer', 'diffusion_pytorch_model.safetensors.index.json')))
    index['weight_map'].pop(gone)
    json.dump(index, open(os.path.join(bad, 'transformer', 'diffusion_pytorch_model.safetensors.index.json'), 'w'))
    out['missing_key'] = message(lambda: load_family_teacher(bad, os.path.join(root, 'text.safetensors'), latent=(8, 8)))
    out['names'] = [gone, misshaped]
    cfg = json.load(open(os.path.join(tdir, 'config.json')))
    out['class_name'] = message(lambda: parse_family_config({**cfg, '_class_name': 'UNet2DConditionModel'}, 'x/config.json'))
    out['axes'] = message(lambda: parse_family_config({**cfg, 'axes_dims_rope': [2, 2, 2]}, 'x/config.json'))
    # text encodings without the empty prompt
    tx, tmeta = read(os.path.join(root, 'text.safetensors'))
    prompts = json.loads(tmeta['prompts'])
    keep = [i for i, p in enumerate(prompts) if p != '']
    write(os.path.join(scratch, 'text.safetensors'), {k: v[keep] for k, v in tx.items()}, {**tmeta, 'prompts': json.dumps([prompts[i] for i in keep])})
    out['no_empty_prompt'] = message(lambda: load_family_teacher(root, os.path.join(scratch, 'text.safetensors'), latent=(8, 8)))
    out['resolution'] = message(lambda: load_family_teacher(root, os.path.join(root, 'text.safetensors'), resolution=40))
    # a DiT file without its config metadata
    write(os.path.join(scratch, 'dit.safetensors'), {'w': torch.zeros(2)}, {'format': 'x'})
    out['dit_no_config'] = message(lambda: load_dit_file(os.path.join(scratch, 'dit.safetensors')))
    print(json.dumps(out))


if __name__ == '__main__':
    main(*sys.argv[1:3])
