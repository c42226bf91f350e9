"""Stage setup for the image teachers (dit, sana, sd3, flux), the torch twin of runtime/tfjs/loop/dit-stage.ts
and family-stage.ts: phi is the teacher (nets/image_builders.py), psi and G start as copies of it
(docs/algorithm.md §2), of an earlier stage's product, or of a student file (generator.init). Conditions:
DiT - caption indices of the dataset's captions (null = K, the empty caption); families - rows of the text
table (sample_condition draws the non-empty rows, the empty prompt's row is the null condition). The
adversarial stage reads real images (DiT: MNIST train split) or real latents (families: data.images).
"""
from __future__ import annotations

import copy
import os

import torch

from .graph import config_value
from .image_data import load_mnist_train, load_real_latents
from .nets import build as build_net
from .nets.image_builders import InitError, dataset_captions, load_student, recipe_path, teacher_of
from .nets.checkpointing import set_checkpointing
from .nets.protocol import NetSpec
from .precision import Precision
from .rng import Rng
from .stage import NetSlot, StageError, StageState, stage_batch, stage_seed

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
_mnist = None


def _teach_stage(graph):
    return next((s for s in graph['stages'] if s['kind'] == 'teach'), None)


def _build(graph, decl, products, device) -> NetSlot:
    name, init, trainable = decl['name'], decl['init'], decl['trainable']
    family = str(config_value(graph, 'teacher.family'))

    def from_stage(st_name):
        if st_name not in products:
            raise StageError(f"net {name}: stage '{st_name}' has not produced a network (is it listed in `after`?)")
        return copy.deepcopy(products[st_name]).requires_grad_(trainable)

    if init == 'teacher':
        teach = _teach_stage(graph)
        if family == 'dit' and teach is not None and teach['name'] in products:
            return NetSlot(decl, from_stage(teach['name']))
        return NetSlot(decl, build_net(family, NetSpec(graph=graph, init='teacher', name=name, trainable=trainable, device=device)))
    if init.startswith('stage:'):
        return NetSlot(decl, from_stage(init[6:]))
    file = init[len('checkpoint:'):] if init.startswith('checkpoint:') else init
    if file.endswith('.safetensors'):
        path = recipe_path(graph, file)
        if not os.path.exists(path):
            raise InitError(f'net {name}: init file {path} does not exist')
        return NetSlot(decl, load_student(path, NetSpec(graph=graph, name=name, trainable=trainable, device=device)))
    raise InitError(f"net {name}: init '{init}' is not available for the {family} teacher (teacher | stage:<name> | a .safetensors student)")


def prepare_image_stage(graph, stage, products, device) -> StageState:
    family = str(config_value(graph, 'teacher.family'))
    if family != 'dit' and stage['kind'] in ('teach', 'evaluate'):
        raise StageError(f"stage {stage['name']} ({stage['kind']}): the torch engine runs the sid and adversarial stages of {family} teachers")
    seed = stage_seed(graph, stage)
    precision = Precision((stage.get('precision') or {}).get('policy', 'fp32'), device)
    nets = {decl['name']: _build(graph, decl, products, device) for decl in stage['nets']}
    teach = _teach_stage(graph)
    phi = products.get(teach['name']) if family == 'dit' and teach is not None and teach['name'] in products else teacher_of(graph, device)
    real, classes, prompts = None, None, None
    if family == 'dit':
        classes = len(dataset_captions(graph))
        if stage['kind'] == 'adversarial':
            global _mnist
            _mnist = _mnist or load_mnist_train(REPO_ROOT)
            c = phi.dit_config
            if _mnist.channels * _mnist.height * _mnist.width != phi.dim:
                raise InitError(f'data.images: {_mnist.name} images are {_mnist.channels}x{_mnist.height}x{_mnist.width}, '
                                f'the teacher generates {c.channels}x{c.height}x{c.width}')
            real = _mnist.sampler()
    else:
        rows = [i for i in range(len(phi.text.prompts)) if i != phi.null_condition]
        if not rows:
            raise InitError('data.text: the encodings file lists only the empty prompt; add the prompts to distil on (docs/text-encodings.md)')
        prompts = {'rows': rows, 'null_row': phi.null_condition}
        if stage['kind'] == 'adversarial':
            src = config_value(graph, 'data.images')
            if not isinstance(src, str):
                raise InitError('the adversarial stage needs real latents: write `data.images = "latents.safetensors"` (docs/text-encodings.md)')
            try:
                real = load_real_latents(recipe_path(graph, src), phi.latent_channels(), *phi.latent, len(phi.text.prompts)).sampler()
            except ValueError as e:
                raise InitError(str(e)) from None
    checkpointing = config_value(graph, 'hardware.gradient_checkpointing') is not False  # the setting's default is true
    for slot in nets.values():
        set_checkpointing(slot.net, checkpointing)
    if precision.bf16_storage:
        for slot in nets.values():
            if slot.decl['trainable']:  # parameters only, as the tfjs engine: the DiT's frozen text encoder stays fp32
                for p in slot.net.parameters():
                    p.data = p.data.to(torch.bfloat16)
    return StageState(graph=graph, stage=stage, precision=precision, rng=Rng.derive(seed, f"stage:{stage['name']}"), nets=nets,
                      batch=stage_batch(graph, stage), dim=phi.dim, gmm=None, device=device, classes=classes, prompts=prompts, real_data=real)
