"""Checks `python -m sidc_torch export` on a tiny teacher folder (argv: teacher dir, scratch dir):
a student (the teacher's weights + a known perturbation) exported to diffusers layout reads back through
the index bit for bit as the student cast to bf16, with the teacher's config.json byte for byte, loads
as a teacher of the same family, and a student lacking a tensor is refused with nothing written.
Prints one JSON line."""
import json
import os
import subprocess
import sys

import torch

from sidc_torch.formats import safetensors as stf
from sidc_torch.nets.families.config import transformer_dir
from sidc_torch.nets.families.load import load_family_teacher

teacher, scratch = sys.argv[1], sys.argv[2]
tdir = transformer_dir(teacher)
tensors, _ = stf.read_checkpoint(tdir)
g = torch.Generator().manual_seed(0)
student = {k: (v.float() + 0.01 * torch.randn(v.shape, generator=g)).contiguous() for k, v in tensors.items()}
sfile = os.path.join(scratch, 'student.safetensors')
stf.write(sfile, student, {'format': 'sidc.net'})
out = os.path.join(scratch, 'exported')
run = lambda *a: subprocess.run([sys.executable, '-m', 'sidc_torch', 'export', *a], capture_output=True, text=True)
r = run('--student', sfile, '--teacher', teacher, '-o', out, '--max-shard-gb', '0.00002')
assert r.returncode == 0, r.stderr
t_out = os.path.join(out, 'transformer')
files = sorted(os.listdir(t_out))
index = json.load(open(os.path.join(t_out, 'diffusion_pytorch_model.safetensors.index.json')))
back, _ = stf.read_checkpoint(t_out)
same = all(torch.equal(back[k], student[k].to(torch.bfloat16)) for k in student) and set(back) == set(student)
total = sum(v.numel() * 2 for v in student.values())
cfg_same = open(os.path.join(t_out, 'config.json'), 'rb').read() == open(os.path.join(tdir, 'config.json'), 'rb').read()
text = os.path.join(teacher, 'text.safetensors')
net = load_family_teacher(out, text, resolution=32)
# refusals: a student lacking a tensor; an existing output folder
partial = dict(student)
partial.pop(sorted(partial)[0])
pfile = os.path.join(scratch, 'partial.safetensors')
stf.write(pfile, partial, {'format': 'sidc.net'})
bad = run('--student', pfile, '--teacher', teacher, '-o', os.path.join(scratch, 'never'))
again = run('--student', sfile, '--teacher', teacher, '-o', out)
print(json.dumps({'same': same, 'config_same': cfg_same, 'shards': len([f for f in files if f.endswith('.safetensors')]),
                  'total_size_ok': index['metadata']['total_size'] == total, 'kind': net.kind,
                  'bad_code': bad.returncode, 'bad_err': bad.stderr, 'bad_written': os.path.exists(os.path.join(scratch, 'never')),
                  'again_code': again.returncode, 'again_err': again.stderr,
                  'leftovers': [f for f in os.listdir(scratch) if '.tmp-' in f]}))
