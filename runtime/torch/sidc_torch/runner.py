"""Runs an execution graph end to end in a run directory laid out as the tfjs engine's
(runtime/run/{runner,rundir}.ts): stages in DAG order; training stages iterate with metrics.jsonl lines,
atomic checkpoints every checkpoint_every images and resume from the last one (same PRNG state, nets,
Adam state and counters); a monitored stage scores its generator as it trains (monitor.py); evaluate stages
write eval.{json,md}. Progress goes to stdout as JSON lines
(events.py); SIGINT/SIGTERM finish the current step, write a checkpoint and stop (exit 130)."""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import signal
import time

import numpy as np
import torch

from . import events
from .distributed import SINGLE
from .checkpoint import load_checkpoint, load_net, save_checkpoint, save_net
from .graph import config_value, stage_setting
from .mixture import mixture_metrics, sample_gmm
from .monitor import Monitor
from .ops import num
from .sampling import euler_sample, generate_k, guidance_of
from .stage import IMPLICIT_TEACH, clone_net, implicit_teach_stage, needs_implicit_teach, prepare_stage, product_of, run_iteration, schedule_of


class Interrupted(Exception):
    pass


class _Stop:
    requested = False


def _on_signal(signum, frame):
    if _Stop.requested:  # a second Ctrl-C: stop now
        raise KeyboardInterrupt
    _Stop.requested = True


def stage_order(graph):
    by_name = {s['name']: s for s in graph['stages']}
    out, seen = [], set()

    def visit(s, path):
        if s['name'] in seen:
            return
        if s['name'] in path:
            raise RuntimeError('stage cycle: ' + ' -> '.join(path + [s['name']]))
        for a in s['after']:
            visit(by_name[a], path + [s['name']])
        seen.add(s['name'])
        out.append(s)

    for s in graph['stages']:
        visit(s, [])
    return ([implicit_teach_stage(graph)] if needs_implicit_teach(graph) else []) + out


class RunDir:
    def __init__(self, d):
        self.dir = d
        self.metrics = os.path.join(d, 'metrics.jsonl')
        self.checkpoint = os.path.join(d, 'checkpoint.safetensors')
        self.progress = os.path.join(d, 'progress.json')
        self.student = os.path.join(d, 'student.safetensors')
        self.samples = os.path.join(d, 'samples')
        os.makedirs(os.path.join(d, 'stages'), exist_ok=True)
        os.makedirs(self.samples, exist_ok=True)

    def stage(self, name):
        return os.path.join(self.dir, 'stages', f'{name}.safetensors')


def write_json_atomic(path, obj):
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'w', encoding='utf8') as f:
        f.write(json.dumps(obj, indent=2) + '\n')
    os.replace(tmp, path)


def write_text_atomic(path, text):
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'w', encoding='utf8') as f:
        f.write(text)
    os.replace(tmp, path)


def _size(p):
    return os.path.getsize(p) if os.path.exists(p) else 0


def _drop_stage_lines(path, stage):
    """A stage starting from scratch: drop the lines a killed earlier attempt of it logged."""
    if not os.path.exists(path):
        return
    lines = [l for l in open(path, encoding='utf8').read().split('\n') if l]

    def ours(l):
        try:
            return json.loads(l).get('stage') == stage
        except ValueError:
            return False

    keep = [l for l in lines if not ours(l)]
    if len(keep) != len(lines):
        write_text_atomic(path, ''.join(l + '\n' for l in keep))


class _MeanOver:
    def __init__(self):
        self.s, self.n = {}, {}

    def add(self, vals):
        for k, v in vals.items():
            self.s[k] = self.s.get(k, 0.0) + v
            self.n[k] = self.n.get(k, 0) + 1

    def take(self):
        out = {k: v / self.n[k] for k, v in self.s.items()}
        self.s, self.n = {}, {}
        return out


def _js_number(v):
    return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 2 ** 53 else v


def train_stage(rd: RunDir, st, budget) -> bool:
    w = st.world or SINGLE  # several processes: rank 0 alone writes metrics and checkpoints
    sch = schedule_of(st.graph, st.stage, st.batch * w.size)  # images count the global batch
    resumed = load_checkpoint(rd.checkpoint, st)
    name = st.stage['name']
    if resumed:
        if w.writer and _size(rd.metrics) > resumed['metricsBytes']:
            os.truncate(rd.metrics, resumed['metricsBytes'])
        events.log(f"resuming stage {name} at {st.images} images (iteration {st.iteration}) from {rd.checkpoint}")
    elif w.writer:
        _drop_stage_lines(rd.metrics, name)
    # evaluation during training (docs/runtime.md "Monitor"): rank 0 alone scores and writes
    monitor = Monitor.open(rd.dir, rd.metrics, st, resumed) if w.writer else None
    total = sch['iterations'] * sch['images_per_iteration']
    losses, terms, count, t0 = _MeanOver(), _MeanOver(), 0, time.perf_counter()
    while st.iteration < sch['iterations']:
        if budget['left'] <= 0:
            return False
        before = st.images
        r = run_iteration(st)
        budget['left'] -= 1
        st.images += sch['images_per_iteration']
        losses.add(r['losses'])
        terms.add(r['terms'])
        count += 1
        done = st.iteration == sch['iterations']
        crossed = lambda every: st.images // every > before // every or done
        events.progress(name, st.images, total, r['losses'])
        if crossed(sch['log_every']):
            secs = time.perf_counter() - t0
            tm = terms.take()
            line = {'stage': name, 'iteration': st.iteration, 'images': st.images, 'k': r['k'], 'loss': losses.take(), **({'terms': tm} if tm else {}),
                    'dropped_nan_samples': st.stats['dropped'], 'nonfinite_grads': st.stats['nonfinite'], 'images_per_s': count * sch['images_per_iteration'] / secs}
            if w.writer:
                with open(rd.metrics, 'a', encoding='utf8') as f:
                    f.write(json.dumps(line, separators=(',', ':')) + '\n')
            count, t0 = 0, time.perf_counter()
        if st.stage['kind'] != 'teach' and crossed(sch['sample_every']) and w.writer:  # own PRNG stream: no rank's draws change
            write_training_samples(rd, st, f"{name}-{st.images:08d}")
        if monitor is not None and crossed(monitor.spec['every_images']):  # before the checkpoint: it holds the best-so-far
            ev = monitor.evaluate(st)  # the launcher prints it and redraws monitor-<metric>.png
            events.emit('monitor', stage=name, images=st.images, metrics={k: v if math.isfinite(v) else None for k, v in ev['metrics'].items()}, kept=ev['kept'])
        stop = w.any(_Stop.requested) and not done  # every rank stops at the same iteration
        if ((crossed(sch['checkpoint_every']) and not done) or stop) and w.writer:
            save_checkpoint(rd.checkpoint, st, _size(rd.metrics), monitor.state() if monitor else None)
        if stop:
            raise Interrupted(f'stopped at {st.images} images of stage {name}; checkpoint written, rerun the same command to resume')
    events.progress(name, st.images, total, {}, final=True)
    return True


def write_npy_atomic(path, arr):
    tmp = f'{path}.tmp-{os.getpid()}.npy'
    np.save(tmp, arr)
    os.replace(tmp, path)


def write_sample_set(rd: RunDir, label: str, x: np.ndarray, c: np.ndarray) -> None:
    """samples/<label>.npy [n, dim] float32 + <label>.labels.npy [n] int32; the launcher draws the PNGs."""
    safe = ''.join(ch if ch.isalnum() or ch == '-' else '_' for ch in label)
    write_npy_atomic(os.path.join(rd.samples, f'{safe}.npy'), x.astype(np.float32))
    write_npy_atomic(os.path.join(rd.samples, f'{safe}.labels.npy'), np.asarray(c, dtype=np.int32))


def write_training_samples(rd: RunDir, st, label: str) -> None:
    """512 samples of the stage's generator, as the tfjs runner plots them: a separate PRNG stream
    (Rng(iteration + 7)), so sampling never changes the training run."""
    from .rng import Rng
    G = product_of(st)
    if G is not None and st.gmm is None:  # image teachers: samples/<label>.npy as the tfjs engine writes them
        from .image_samples import write_image_samples
        write_image_samples(rd.samples, st, G, label)
        return
    if G is None or st.dim < 2:
        return
    n = 512
    steps = int(num(config_value(st.graph, 'generator.steps'), 4))
    c = np.arange(n) % st.gmm.classes
    rng = Rng(st.iteration + 7)
    z = torch.from_numpy(rng.normals(n * st.dim).reshape(n, st.dim)).to(st.device)
    with torch.no_grad():
        x = generate_k(G, z, torch.tensor(c, device=st.device), steps, steps, 'fresh', rng, num(config_value(st.graph, 'teacher.time_scale'), 1), st.precision, False)
    write_sample_set(rd, label, x.float().cpu().numpy(), c)


def evaluate_stage(st):
    """runtime/tfjs/evaluation/mixture.ts: teacher Euler at each teacher_steps, the student at each student_steps,
    fresh draws of the true mixture as the noise floor, all against the TRUE mixture."""
    g, s, gmm = st.graph, st.stage, st.gmm
    n = int(num(stage_setting(g, s, ['samples'], 'evaluate.samples', 2000), 2000))
    teacher_steps = stage_setting(g, s, ['teacher_steps'], 'evaluate.teacher_steps', [1, 2, 4, 8, 32])
    student_steps = stage_setting(g, s, ['student_steps'], 'evaluate.student_steps', [1, 4])
    guidance = guidance_of(stage_setting(g, s, ['guidance'], 'guidance.teacher', {'mode': 'cfg', 'scale': 4.5}))
    ts = num(config_value(g, 'teacher.time_scale'), 1)
    gen_steps = int(num(config_value(g, 'generator.steps'), 4))
    noise = str(config_value(g, 'generator.noise') or 'fresh')
    c = np.arange(n) % gmm.classes
    rows, samples = [], []

    def record(sampler, steps, x, t0):
        rows.append({'sampler': sampler, 'steps': steps, 'seconds': time.perf_counter() - t0, **mixture_metrics(gmm, x, c)})
        samples.append((f'eval-{sampler}-{steps}', x[:2000], c[:2000]))

    t0 = time.perf_counter()
    record('true mixture', 0, sample_gmm(gmm, c, st.rng), t0)
    nets = list(st.nets.values())
    phi = st.nets['phi'].net if 'phi' in st.nets else next((x.net for x in nets if x.decl['role'] == 'teacher'), None)
    G = st.nets['G'].net if 'G' in st.nets else next((x.net for x in nets if x.decl['role'] != 'teacher'), None)
    cT = torch.tensor(c, dtype=torch.int64, device=st.device)

    def draw(f):
        z = torch.from_numpy(st.rng.normals(n * gmm.dim).reshape(n, gmm.dim)).to(st.device)
        with torch.no_grad():
            return f(z).float().cpu().numpy()

    if phi is not None:
        for k in teacher_steps:
            t1 = time.perf_counter()
            record(f'teacher {phi.kind} Euler', k, draw(lambda z: euler_sample(phi, z, cT, k, guidance, ts, st.precision)), t1)
    if G is not None:
        for k in student_steps:
            t1 = time.perf_counter()
            record('SiD student', k, draw(lambda z: generate_k(G, z, cT, min(k, gen_steps), gen_steps, noise, st.rng, ts, st.precision, False)), t1)
    return rows, samples


def gmm_dim_ok(st) -> bool:
    return st.gmm is not None and st.dim >= 2


def format_eval_table(rows) -> str:
    head = ['sampler', 'steps', 'energy dist', 'sliced W1', 'coverage', 'precision', 'seconds']
    body = [[r['sampler'], '-' if r['steps'] == 0 else str(r['steps']), f"{r['energy']:.4f}", f"{r['sliced_w1']:.4f}",
             f"{r['coverage']:.3f}", f"{r['precision']:.3f}", f"{r['seconds']:.2f}"] for r in rows]
    widths = [max([len(h)] + [len(b[i]) for b in body]) for i, h in enumerate(head)]
    line = lambda cells: '| ' + ' | '.join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells)) + ' |'
    sep = '|' + '|'.join((':' if i == 0 else '-') + '-' * w + ('-' if i == 0 else ':') for i, w in enumerate(widths)) + '|'
    return '\n'.join([line(head), sep] + [line(b) for b in body])


def _implicit_cache_path(rd, stage, graph):
    mixture = [config_value(graph, f'teacher.{k}') for k in ('dim', 'classes', 'modes_per_class', 'mode_std', 'radius', 'seed', 'symmetric', 'width', 'depth')]
    key = hashlib.sha256(json.dumps(['torch', stage, mixture], separators=(',', ':')).encode()).hexdigest()[:16]
    return os.path.join(os.path.dirname(os.path.abspath(rd.dir)), '_cache', f'init-torch-{key}.safetensors')


def run_graph(graph, run_dir: str, device: str, stop_after_iterations=None, world=None) -> bool:
    """Executes the graph, resuming what a previous process left; True when every stage finished.
    `world` (distributed.World): one of several processes; every rank runs this, rank 0 writes."""
    w = world or SINGLE
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    rd = RunDir(run_dir)
    progress = json.load(open(rd.progress)) if os.path.exists(rd.progress) else {'done': []}
    products = {}
    w.barrier()  # every rank has read progress.json before rank 0 writes it again
    budget = {'left': stop_after_iterations if stop_after_iterations is not None else float('inf')}
    for stage in stage_order(graph):
        name = stage['name']
        if name in progress['done']:
            if os.path.exists(rd.stage(name)):
                products[name] = load_net(rd.stage(name), graph, device)
            continue
        cached = _implicit_cache_path(rd, stage, graph) if name == IMPLICIT_TEACH else None
        if cached and w.sum_floats([float(os.path.exists(cached))])[0] == w.size:
            if w.writer:
                shutil.copyfile(cached, rd.stage(name))
            products[name] = load_net(cached, graph, device)
            progress['done'].append(name)
            if w.writer:
                write_json_atomic(rd.progress, progress)
            continue
        st = prepare_stage(graph, stage, products, device)
        if w.active:
            st.world = w
            for slot in st.nets.values():
                if slot.decl['trainable']:
                    w.broadcast_params_(slot.net)
        if stage['kind'] == 'evaluate':
            events.log(f'stage {name}: sampling and measuring against the true mixture')
            rows, samples = evaluate_stage(st)
            if gmm_dim_ok(st) and w.writer:
                for label, x, c in samples:
                    write_sample_set(rd, label, x, c)
            table = format_eval_table(rows)
            if w.writer:
                write_json_atomic(os.path.join(rd.dir, 'eval.json'), rows)
                write_text_atomic(os.path.join(rd.dir, 'eval.md'), table + '\n')
            events.emit('eval', table=table)
        elif stage['phases']:
            if not train_stage(rd, st, budget):
                return False
            product = product_of(st)
            if product is not None:
                products[name] = clone_net(product, False, device)
            if product is not None and w.writer:
                save_net(rd.stage(name), product, {'stage': name, 'engine': 'torch'})
                if stage['kind'] in ('sid', 'adversarial'):
                    shutil.copyfile(rd.stage(name), rd.student)
                if cached:
                    os.makedirs(os.path.dirname(cached), exist_ok=True)
                    shutil.copyfile(rd.stage(name), cached + '.tmp')
                    os.replace(cached + '.tmp', cached)
        progress['done'].append(name)
        if w.writer:
            write_json_atomic(rd.progress, progress)
            if os.path.exists(rd.checkpoint):
                os.remove(rd.checkpoint)
        w.barrier()  # the next stage starts from what rank 0 wrote
    return True
