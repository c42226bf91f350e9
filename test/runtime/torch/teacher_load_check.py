#!/usr/bin/env python3
"""The torch side of teacher-load.test.ts: the streamed checkpoint reader (formats/safetensors.py Checkpoint) and
the loader on it (nets/families/load.py). usage: teacher_load_check.py TEACHER_DIR RESULT.json
Writes: shapes_match (Checkpoint.shapes, from the headers, equal the tensors' shapes), same_tensors (items()
gives read_checkpoint's tensors bit for bit, in its order), one_at_a_time (the largest number of tensors from
items() alive at once while a consumer drops each before the next: 1 when nothing is read ahead), same_net (the
teacher loaded through load_family_teacher equals one built from read_checkpoint's dict), tensors.
"""
import json
import os
import sys
import weakref

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'runtime', 'torch'))
from sidc_torch.formats.safetensors import Checkpoint, read_checkpoint  # noqa: E402
from sidc_torch.nets.families.config import read_family_config, transformer_dir  # noqa: E402
from sidc_torch.nets.families.load import build_family_net, load_family_teacher  # noqa: E402


def main(root, out_path):
    tdir = transformer_dir(root)
    whole, _ = read_checkpoint(tdir)
    ck = Checkpoint(tdir)
    alive, most = [], 0
    same = list(ck.shapes) == list(whole)
    for n, t in ck.items():
        alive = [r for r in alive if r() is not None]
        alive.append(weakref.ref(t))
        most = max(most, len(alive))
        same = same and torch.equal(t, whole[n]) and t.dtype == whole[n].dtype
        del t
    net = load_family_teacher(root, os.path.join(root, 'text.safetensors'), latent=(4, 4))
    ref = build_family_net(read_family_config(tdir), net.text, (4, 4), whole, tdir)
    same_net = all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), ref.state_dict().values()))
    shapes = all(ck.shapes[n] == tuple(t.shape) for n, t in whole.items())
    with open(out_path, 'w') as fh:
        json.dump({'shapes_match': shapes, 'same_tensors': same, 'one_at_a_time': most, 'same_net': same_net, 'tensors': len(whole)}, fh)


if __name__ == '__main__':
    main(*sys.argv[1:3])
