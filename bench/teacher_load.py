#!/usr/bin/env python3
"""bench/teacher-load.bench.ts's Python side: the peak host memory of loading a family teacher.
usage: teacher_load.py generate DIR   writes DIR/transformer/ (config.json, bf16 shards of <= 100 MB + index) of a
                                      mid-size FLUX (D 768, 4 double + 8 single blocks); prints {params, bytes}
       teacher_load.py load DIR MODE DTYPE   in a fresh process, builds the teacher as nets/families/load.py does
                                      with MODE streamed (Checkpoint: one tensor at a time, what the engine does) or
                                      whole (read_checkpoint: every stored tensor in memory first, the loader before
                                      streaming) into DTYPE (float32 | bfloat16); prints {rss_growth_bytes, seconds,
                                      weights_bytes}: peak RSS (resource.getrusage ru_maxrss) after minus before.
"""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'runtime', 'torch'))
from sidc_torch.formats.safetensors import Checkpoint, read_checkpoint, write_sharded  # noqa: E402
from sidc_torch.nets.families import family_class  # noqa: E402
from sidc_torch.nets.families.config import read_family_config  # noqa: E402
from sidc_torch.nets.families.load import _without_random_init, build_family_net  # noqa: E402
from sidc_torch.nets.families.text import TextTable  # noqa: E402

CONFIG = {'_class_name': 'FluxTransformer2DModel', 'patch_size': 1, 'in_channels': 64, 'num_layers': 4, 'num_single_layers': 8,
          'attention_head_dim': 128, 'num_attention_heads': 6, 'joint_attention_dim': 256, 'pooled_projection_dim': 64,
          'guidance_embeds': True, 'axes_dims_rope': [16, 56, 56]}
LATENT = (16, 16)


def text_table():
    return TextTable(['', 'a prompt'], torch.zeros(2, 4, CONFIG['joint_attention_dim']), torch.ones(2, 4), torch.zeros(2, CONFIG['pooled_projection_dim']))


def generate(root):
    tdir = os.path.join(root, 'transformer')
    os.makedirs(tdir, exist_ok=True)
    with open(os.path.join(tdir, 'config.json'), 'w') as fh:
        json.dump(CONFIG, fh)
    config = read_family_config(tdir)
    with _without_random_init():
        net = family_class('flux')(config, text_table(), LATENT)
    g = torch.Generator().manual_seed(0)
    tensors = {k: (torch.randn(v.shape, generator=g) * 0.02).to(torch.bfloat16) for k, v in net.state_dict().items()}
    write_sharded(tdir, 'diffusion_pytorch_model', tensors, 100 * 2 ** 20)
    print(json.dumps({'params': sum(t.numel() for t in tensors.values()), 'bytes': sum(t.numel() * 2 for t in tensors.values())}))


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def load(root, mode, dtype):
    tdir = os.path.join(root, 'transformer')
    config = read_family_config(tdir)
    text = text_table()
    before = peak_rss()
    t0 = time.perf_counter()
    tensors = Checkpoint(tdir) if mode == 'streamed' else read_checkpoint(tdir)[0]
    net = build_family_net(config, text, LATENT, tensors, tdir, dtype=getattr(torch, dtype))
    del tensors
    seconds = time.perf_counter() - t0
    weights = sum(p.numel() * p.element_size() for p in net.state_dict().values())
    print(json.dumps({'rss_growth_bytes': peak_rss() - before, 'seconds': seconds, 'weights_bytes': weights}))


if __name__ == '__main__':
    torch.set_num_threads(1)
    if sys.argv[1] == 'generate':
        generate(sys.argv[2])
    else:
        load(*sys.argv[2:5])
