"""`python -m sidc_torch eval`: the evaluation of an image (dit) run that runtime/tfjs/evaluation/image.ts runs for
`sidc eval`, on torch - the same samplers on the same draws, so `sidc eval RUN --engine torch` prints the tfjs
table's numbers to float32 rounding, several times faster on a CPU. Every sampler sees the same prompts (an equal
number per caption, prompt i // per_class) and the same starting noise Rng(seed); the student's fresh noise is
Rng(seed + 1), restarted per sampler and drawn in chunks of 100 images as drawInChunks draws it. Teacher: Euler
with CFG at each step count (eq. 15); student: generate_k over its training grid (eq. 16), fp32. Scores: FID on the
eval classifier's features against the 1,000 held-out digits and prompt alignment (image_scoring.py)."""
from __future__ import annotations

import os
import time

import numpy as np
import torch

from .graph import config_value
from .image_scoring import image_scorer
from .nets.image_builders import dit_teacher, load_student, with_weights
from .nets.protocol import NetSpec
from .ops import num
from .precision import Precision
from .rng import Rng
from .sampling import euler_sample, generate_k

CHUNK = 100  # images per sampler call, as drawInChunks: the student's fresh noise follows it


class EvalError(ValueError):
    pass


def _checkpoint_generator(path: str, phi, tensors) -> torch.nn.Module:
    g = {k[len('net/G/'):]: v for k, v in tensors.items() if k.startswith('net/G/')}
    if not g:
        raise EvalError(f'{path}: holds no generator G')
    return with_weights(phi, g, f'{path} (G)', False)


def load_run_student(run_dir: str, graph: dict, phi, student, device: str):
    """The named student (a student file or a checkpoint's G), else the run's student.safetensors, else the G of its
    last checkpoint (a run still going) - as loadRunStudent / loadNamedStudent choose."""
    from .formats.safetensors import read
    path = student or os.path.join(run_dir, 'student.safetensors')
    if not student and not os.path.exists(path):
        path = os.path.join(run_dir, 'checkpoint.safetensors')
        if not os.path.exists(path):
            raise EvalError(f'{run_dir}: neither student.safetensors nor checkpoint.safetensors (has the run started its sid stage?)')
    tensors, metadata = read(path)
    if metadata.get('format') == 'sidc.checkpoint':
        return _checkpoint_generator(path, phi, tensors)
    return load_student(path, NetSpec(graph=graph, name='G', trainable=False, device=device))


def _write_npy(path: str, a: np.ndarray) -> None:
    tmp = f'{path}.tmp-{os.getpid()}.npy'
    np.save(tmp, a)
    os.replace(tmp, path)


@torch.no_grad()
def evaluate_image_run(run_dir: str, graph: dict, opts: dict, device: str = 'cpu') -> list:
    """The rows of `sidc eval` (teacher rows first, then the student's), each {sampler, label, steps, cfg, samples, fid,
    alignment, seconds, scoreSeconds}; with opts['npy'] every sampler's images go to <npy>/<label>.npy."""
    if str(config_value(graph, 'teacher.family')) != 'dit':
        raise EvalError('sidc eval compares image runs (teacher dit)')
    phi = dit_teacher(graph, device)
    G = load_run_student(run_dir, graph, phi, opts.get('student'), device)
    K, dim = int(phi.null_condition), int(phi.dim)
    per_class, seed = int(opts['perClass']), int(opts['seed'])
    n = K * per_class
    labels = np.arange(n) // per_class
    ts = num(config_value(graph, 'teacher.time_scale'), 1)
    gen = int(num(config_value(graph, 'generator.steps'), 4))
    z = Rng(seed).normals(n * dim).reshape(n, dim)
    fp32 = Precision('fp32', device)
    scorer = image_scorer(device)
    c_shape = (phi.dit_config.channels, phi.dit_config.height, phi.dit_config.width)
    npy = opts.get('npy')
    if npy:
        os.makedirs(npy, exist_ok=True)
        _write_npy(os.path.join(npy, 'labels.npy'), labels.astype(np.int32))

    def run(sampler: str, steps: int, draw) -> dict:
        t0 = time.perf_counter()
        rng = Rng(seed + 1)
        x = np.empty((n, dim), dtype=np.float32)
        for i in range(0, n, CHUNK):
            zc = torch.from_numpy(np.ascontiguousarray(z[i:i + CHUNK], dtype=np.float32)).to(device)
            c = torch.from_numpy(labels[i:i + CHUNK].astype(np.int64)).to(device)
            x[i:i + CHUNK] = draw(zc, c, rng).float().cpu().numpy()
        seconds = time.perf_counter() - t0
        label = f'teacher-euler-{steps}' if sampler == 'teacher' else f'student-{steps}'
        if npy:
            _write_npy(os.path.join(npy, f'{label}.npy'), x.reshape(n, *c_shape))
        s0 = time.perf_counter()
        scores = scorer.score(x, labels)
        return {'sampler': sampler, 'label': label, 'steps': steps, 'cfg': opts['cfg'] if sampler == 'teacher' else None, 'samples': n,
                'fid': scores['fid'], 'alignment': scores['alignment'], 'seconds': seconds, 'scoreSeconds': time.perf_counter() - s0}

    rows = []
    g = ('cfg', float(opts['cfg']))
    for s in opts['teacherSteps']:
        rows.append(run('teacher', int(s), lambda zc, c, rng, s=int(s): euler_sample(phi, zc, c, s, g, ts, fp32)))
    for s in opts['studentSteps']:
        rows.append(run('student', int(s), lambda zc, c, rng, s=int(s): generate_k(G, zc, c, s, max(s, gen), 'fresh', rng, ts, fp32, False)))
    return rows
