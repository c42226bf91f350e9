"""A student as a diffusers model folder: `python -m sidc_torch export --student S --teacher T -o OUT`.

OUT/transformer/ gets the teacher's transformer/config.json unchanged (same class, same architecture: the
student is the teacher's network with other weights) and the student's weights under their diffusers names
as `diffusion_pytorch_model-0000i-of-0000n.safetensors` + `diffusion_pytorch_model.safetensors.index.json`
(shards of at most --max-shard-gb), in --dtype (default bf16, as the paper's teachers are published). The
other folders of the teacher (scheduler, text encoders, VAE, model_index.json) are not copied: the
transformer is what distillation changes; put it beside them to make a pipeline.

Every tensor of the teacher's transformer must be in the student (the student is a full copy), and nothing
else: a student of another architecture is refused before anything is written. The output appears whole
or not at all (written to OUT.tmp-<pid>, then renamed)."""
from __future__ import annotations

import os
import shutil

import torch

from .formats import safetensors as stf
from .nets.families.config import transformer_dir

DTYPES = {'bf16': torch.bfloat16, 'fp16': torch.float16, 'fp32': torch.float32}
PREFIX = 'diffusion_pytorch_model'


class ExportError(Exception):
    pass


def teacher_names(tdir: str):
    """The tensor names and shapes of the teacher's transformer, from its safetensors headers alone (a 12B
    teacher is not read to export its student)."""
    try:
        return stf.Checkpoint(tdir).shapes
    except stf.SafetensorsError as e:
        raise ExportError(str(e)) from None


def export_student(student: str, teacher: str, out: str, dtype: str = 'bf16', max_shard_gb: float = 5.0) -> str:
    if dtype not in DTYPES:
        raise ExportError(f"--dtype {dtype}: use one of {', '.join(DTYPES)}")
    if not os.path.exists(student):
        raise ExportError(f'{student} does not exist (a finished run holds RUN_DIR/student.safetensors)')
    try:
        tdir = transformer_dir(teacher)
    except ValueError as e:
        raise ExportError(str(e)) from None
    config = os.path.join(tdir, 'config.json')
    if not os.path.exists(config):
        raise ExportError(f'{tdir} has no config.json: --teacher is the diffusers model folder the student was distilled from')
    if os.path.exists(out):
        raise ExportError(f'{out} exists; remove it or choose another -o')
    want = teacher_names(tdir)
    tensors, _ = stf.read(student)
    missing = sorted(set(want) - set(tensors))
    extra = sorted(set(tensors) - set(want))
    if missing or extra:
        what = f'lacks {missing[0]!r}' + (f' and {len(missing) - 1} more' if len(missing) > 1 else '') if missing else f'has {extra[0]!r}, which the teacher has not'
        raise ExportError(f"{student} is not a full {os.path.basename(os.path.dirname(tdir.rstrip('/'))) or 'teacher'} transformer: it {what}; export the student of a run on this teacher")
    for k, shape in want.items():
        if tuple(tensors[k].shape) != shape:
            raise ExportError(f'{student}: {k} has shape {list(tensors[k].shape)}, the teacher\'s is {list(shape)}')
    tmp = f'{out}.tmp-{os.getpid()}'
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tgt = os.path.join(tmp, 'transformer')
        os.makedirs(tgt)
        shutil.copyfile(config, os.path.join(tgt, 'config.json'))
        cast = {k: v.to(DTYPES[dtype]).contiguous() for k, v in tensors.items()}
        stf.write_sharded(tgt, PREFIX, cast, int(max_shard_gb * 1e9), {'format': 'pt'})
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return os.path.join(out, 'transformer')
