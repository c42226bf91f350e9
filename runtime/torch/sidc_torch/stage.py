"""Setting up one stage (nets, PRNG, batch, schedule) and one training iteration, as
runtime/exec/{stage,build-nets,iteration,implicit-teach}.ts: shared nodes once (k is drawn once per
iteration), then each phase in order (fake network first), each for `accumulate` rounds summing the
gradients of the phase's net only; then nan_to_num + optional clip + Adam (optim.py)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import torch

from .distributed import reduce_iteration, reduce_phase
from .graph import config_value, stage_setting
from .mixture import Gmm, make_gmm
from .nets import build as build_net
from .nets.protocol import NetSpec, checkpoint_params
from .ops import exec_node, num
from .optim import Adam, sanitize_grads
from .precision import Precision
from .rng import Rng

IMPLICIT_TEACH = '_init'
VECTOR_FAMILIES = ('gmm', 'mlp')
IMAGE_FAMILIES = ('dit', 'sana', 'sd3', 'flux')


class StageError(Exception):
    pass


@dataclass
class NetSlot:
    decl: dict
    net: torch.nn.Module


@dataclass
class StageState:
    graph: dict
    stage: dict
    precision: Precision
    rng: Rng
    nets: Dict[str, NetSlot]
    batch: int
    dim: int
    gmm: Optional[Gmm]
    device: str
    adam: Dict[str, Adam] = field(default_factory=dict)
    iteration: int = 0
    images: int = 0
    stats: dict = field(default_factory=lambda: {'dropped': 0, 'nonfinite': 0})
    terms: Optional[dict] = None
    classes: Optional[int] = None
    prompts: Optional[dict] = None
    real_data: Optional[object] = None
    world: Optional[object] = None  # distributed.World of a multi-process run (None: one process)
    params: Dict[str, list] = field(default_factory=dict)  # checkpoint_params per net, listed once (they are updated in place)

    def new_adam(self) -> Adam:
        """hardware.offload = cpu: the Adam moments and step on the host; else with each parameter."""
        return Adam('cpu' if self.config('hardware.offload') == 'cpu' else None)

    def config(self, path):
        return config_value(self.graph, path)


def teacher_family(graph) -> str:
    return str(config_value(graph, 'teacher.family') or 'gmm')


def gmm_of(graph) -> Gmm:
    c = lambda p, d: num(config_value(graph, f'teacher.{p}'), d)
    return make_gmm(int(c('dim', 2)), int(c('classes', 4)), int(c('modes_per_class', 4)), c('mode_std', 0.1), c('radius', 4),
                    int(c('seed', 0)), config_value(graph, 'teacher.symmetric') is True)


def mlp_config_of(graph, gmm: Gmm) -> dict:
    return {'dim': gmm.dim, 'classes': gmm.classes, 'width': int(num(config_value(graph, 'teacher.width'), 128)),
            'depth': int(num(config_value(graph, 'teacher.depth'), 3)), 'freqs': 8}


def stage_seed(graph, stage) -> int:
    return int(num(stage_setting(graph, stage, ['seed'], 'train.seed', 0), 0))


def stage_batch(graph, stage) -> int:
    if stage['kind'] == 'teach':
        return int(num(stage_setting(graph, stage, ['batch'], 'teach.batch', 256), 256))
    d = graph['bindings'].get('B', num(config_value(graph, 'batch.per_device'), 1))
    return int(num(stage_setting(graph, stage, ['batch_per_device'], None, d), 1))


def schedule_of(graph, stage, batch) -> dict:
    acc = max([1] + [p['accumulate'] for p in stage['phases']])
    ipi = batch * acc
    teach = stage['kind'] == 'teach'
    length = num(stage_setting(graph, stage, ['length_images', 'length'], 'teach.length' if teach else 'train.length', 1000), 1000)
    every = lambda names, path, d: num(stage_setting(graph, stage, names, path, d), d)
    return {'length_images': length,
            'checkpoint_every': every(['checkpoint_every_images', 'checkpoint_every'], 'train.checkpoint_every', 10000),
            'sample_every': every(['sample_every_images', 'sample_every'], 'train.sample_every', 2000),
            'log_every': every(['log_every_images', 'log_every'], 'train.log_every', 1000),
            'images_per_iteration': ipi, 'iterations': math.ceil(length / ipi)}


def needs_implicit_teach(graph) -> bool:
    if teacher_family(graph) != 'gmm' or any(s['kind'] == 'teach' for s in graph['stages']):
        return False
    return any(n['init'] == 'teacher' and n['role'] != 'teacher' for s in graph['stages'] for n in s['nets'])


def implicit_teach_stage(graph) -> dict:
    """The MLP psi and G of a gmm recipe start from (runtime/tfjs/loop/implicit-teach.ts, the same stage)."""
    c = lambda p, d: config_value(graph, p) if config_value(graph, p) is not None else d
    f32 = lambda shape: {'dtype': 'float32', 'shape': shape}
    i32 = {'dtype': 'int32', 'shape': ['B']}
    node = lambda id_, op, inputs, outputs, attrs=None: {'id': id_, 'op': op, 'inputs': inputs, 'outputs': outputs, 'attrs': attrs or {}}
    return {
        'name': IMPLICIT_TEACH, 'kind': 'teach', 'after': [],
        'nets': [{'name': 'phi', 'role': 'teacher', 'trainable': True, 'init': 'scratch', 'dtype': 'float32'}],
        'precision': {'policy': 'fp32', 'weights': 'float32', 'compute': 'float32', 'optimizer_state': 'float32', 'loss': 'float32'},
        'shared': [],
        'phases': [{'name': 'teacher', 'updates': 'phi', 'accumulate': 1, 'loss': 'fm_loss.loss',
                    'optimizer': {'kind': 'adam', 'lr': num(c('teach.lr', 1e-3), 1e-3), 'beta1': num(c('optimizer.beta1', 0), 0),
                                  'beta2': num(c('optimizer.beta2', 0.999), 0.999), 'eps': 1e-8, 'weight_decay': 0, 'clip': None},
                    'nodes': [
                        node('data', 'sample_data', {}, {'x0': f32(['B', 'X']), 'c': i32}, {'source': 'mixture'}),
                        node('drop', 'drop_condition', {'c': 'data.c'}, {'c': i32}, {'p': c('teach.caption_dropout', 0.1)}),
                        node('sample_t', 'sample_t', {}, {'t': f32(['B'])},
                             {'distribution': c('teach.time', {'kind': 'logit_normal', 'mean': 0, 'std': 1}), 'interval': [0, 1],
                              'sampling': 'inverse_cdf'}),
                        node('noise', 'sample_noise', {}, {'eps': f32(['B', 'X'])}),
                        node('diffuse', 'diffuse', {'x0': 'data.x0', 't': 'sample_t.t', 'eps': 'noise.eps'}, {'x_t': f32(['B', 'X'])}),
                        node('v_phi', 'velocity', {'x': 'diffuse.x_t', 't': 'sample_t.t', 'c': 'drop.c'}, {'v': f32(['B', 'X'])},
                             {'net': 'phi', 'guidance': {'mode': 'none', 'scale': 1}, 'time_scale': 1, 'grad': 'params'}),
                        node('fm_loss', 'fm_loss', {'v': 'v_phi.v', 'eps': 'noise.eps', 'x0': 'data.x0'}, {'loss': f32([])}),
                    ]}],
        'attrs': {'length_images': num(c('teach.length', 100000), 100000), 'batch': num(c('teach.batch', 256), 256), 'seed': num(c('train.seed', 0), 0),
                  'checkpoint_every_images': num(c('train.checkpoint_every', 10000), 10000), 'log_every_images': num(c('train.log_every', 1000), 1000)},
    }


def clone_net(net, trainable: bool, device: str, dtype=torch.float32):
    """A copy with its own weights (psi and G start as copies, docs/algorithm.md §2)."""
    import copy
    out = copy.deepcopy(net)
    for p in out.parameters():
        p.requires_grad_(trainable)
    return out


def build_nets(graph, stage, gmm, products, seed, device) -> Dict[str, NetSlot]:
    family = teacher_family(graph)
    nets = {}
    teach = next((s for s in graph['stages'] if s['kind'] == 'teach'), None)
    for decl in stage['nets']:
        init, name = decl['init'], decl['name']

        def from_product(st_name):
            if st_name not in products:
                raise StageError(f"net {name}: stage '{st_name}' has not produced a network (is it listed in `after`?)")
            return clone_net(products[st_name], decl['trainable'], device)

        if init == 'scratch':
            net = build_net('mlp', NetSpec(graph=graph, seed=seed, name=name, trainable=decl['trainable'], device=device, extra={'mlp_config': mlp_config_of(graph, gmm)}))
        elif init.startswith('stage:'):
            net = from_product(init[6:])
        elif init == 'teacher':
            if family == 'gmm' and decl['role'] == 'teacher':
                net = build_net('gmm', NetSpec(graph=graph, device=device, extra={'gmm': gmm, 'time_scale': 1.0}))
            elif teach is None and family == 'gmm' and IMPLICIT_TEACH in products:
                net = from_product(IMPLICIT_TEACH)
            elif teach is None:
                raise StageError(f'net {name}: an {family} teacher comes from a teach stage; add `stage teach {{ ... }}` to the recipe')
            else:
                net = from_product(teach['name'])
        else:
            raise StageError(f"net {name}: unknown init '{init}' (teacher | stage:<name> | scratch)")
        nets[name] = NetSlot(decl, net)
    return nets


def prepare_stage(graph, stage, products, device) -> StageState:
    family = teacher_family(graph)
    if family in IMAGE_FAMILIES:  # dit, sana, sd3, flux: image_stage.py (teacher files, text tables, real data)
        from .image_stage import prepare_image_stage
        return prepare_image_stage(graph, stage, products, device)
    if family not in VECTOR_FAMILIES:
        raise StageError(f"teacher family '{family}' is not executable by the torch engine ({', '.join(VECTOR_FAMILIES + IMAGE_FAMILIES)})")
    gmm = gmm_of(graph)
    seed = stage_seed(graph, stage)
    precision = Precision((stage.get('precision') or {}).get('policy', 'fp32'), device)
    nets = build_nets(graph, stage, gmm, products, seed, device)
    if precision.bf16_storage:
        for slot in nets.values():
            if slot.decl['trainable']:  # the parameters only: buffers (time frequencies, mixture means) stay fp32
                for p in slot.net.parameters():
                    p.data = p.data.to(torch.bfloat16)
    return StageState(graph=graph, stage=stage, precision=precision, rng=Rng.derive(seed, f"stage:{stage['name']}"), nets=nets,
                      batch=stage_batch(graph, stage), dim=gmm.dim, gmm=gmm, device=device)


def product_of(st: StageState):
    """The stage's product: the generator when it has one, else the net its phases train."""
    for s in st.nets.values():
        if s.decl['role'] == 'generator' or s.decl['name'] == 'G':
            return s.net
    phases = st.stage['phases']
    return st.nets[phases[0]['updates']].net if phases and phases[0]['updates'] in st.nets else None


def _run_phase(st: StageState, phase: dict, shared: dict) -> float:
    slot = st.nets.get(phase['updates'])
    if slot is None:
        raise StageError(f"phase {phase['name']} updates net '{phase['updates']}', which stage {st.stage['name']} does not declare")
    params = st.params.get(phase['updates'])
    if params is None:
        params = st.params[phase['updates']] = checkpoint_params(slot.net)
    if not params:
        raise StageError(f"phase {phase['name']}: net '{phase['updates']}' has no parameters to train")
    sums: Dict[str, torch.Tensor] = {}
    total = 0.0
    rounds = max(1, phase['accumulate'])
    for _ in range(rounds):
        env = dict(shared)
        for node in phase['nodes']:
            exec_node(node, env, st, rounds)
        loss = env.get(phase['loss'])
        if not torch.is_tensor(loss):
            raise StageError(f"phase {phase['name']}: loss {phase['loss']} was not computed")
        grads = torch.autograd.grad(loss, [p for _, p in params], allow_unused=True)
        total += float(loss.item())
        for (n, p), g in zip(params, grads):
            g = torch.zeros_like(p, dtype=torch.float32) if g is None else g.float()
            sums[n] = g if n not in sums else sums[n] + g
    total = reduce_phase(st, sums, total)  # multi-process: the ranks' mean gradient (float32) and loss
    st.stats['nonfinite'] += sanitize_grads(list(sums.values()), phase['optimizer'].get('clip'))
    adam = st.adam.get(phase['updates'])
    if adam is None:  # the net's first step (or after a resume that had no moments for it)
        adam = st.adam[phase['updates']] = st.new_adam()
    adam.update(phase['optimizer'], params, sums, st.precision.bf16_storage)
    return total


def run_iteration(st: StageState) -> dict:
    shared: dict = {}
    st.terms = {}
    dropped_before = st.stats['dropped']
    k = None
    for node in st.stage['shared']:
        exec_node(node, shared, st, 1)
        if node['op'] == 'sample_k':
            k = shared[f"{node['id']}.{next(iter(node['outputs']), 'out')}"]
    losses = {}
    frozen_until = num(st.stage['attrs'].get('generator_frozen_until_images'), -math.inf)
    for phase in st.stage['phases']:
        if phase['updates'] == 'G' and st.images < frozen_until:
            continue
        losses[phase['name']] = _run_phase(st, phase, shared)
    reduce_iteration(st, dropped_before)
    st.iteration += 1
    return {'k': k, 'losses': losses, 'terms': st.terms}
