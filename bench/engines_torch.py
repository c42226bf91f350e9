#!/usr/bin/env python3
"""The torch side of bench/engines.bench.ts: seconds per SiD iteration of one compiled graph's `sid` stage
(a) in the torch engine (sidc_torch: prepare_stage + run_iteration, the graph interpreter with the tfjs
engine's PRNG stream, generated ahead with numpy) and (b) in plain PyTorch: the same nets (built once by the
engine's nets module, then copied), the same batch, guidance and losses (docs/algorithm.md §4: fake phase,
then generator phase; eq. 18), written directly with torch ops - torch.randn / torch.randint for every
draw, torch.optim.Adam, no graph, no Python PRNG. Both on one thread (torch.set_num_threads(1)).
Median of --iters iterations after --warmup, engine and plain iterations alternating. With --profile, a
cProfile of one engine iteration (top functions by own time) joins the output so an overhead has a place
to point at.
With --check, only the gradients of both phases, engine against plain on the engine's draws (a test runs it).
usage: engines_torch.py --graph G.json [--iters 5] [--warmup 1] [--profile] [--check]
Prints one JSON line."""
from __future__ import annotations

import argparse
import copy
import cProfile
import io
import json
import math
import os
import pstats
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'runtime', 'torch'))
from sidc_torch.graph import config_value  # noqa: E402
from sidc_torch.nets.protocol import has_guidance_embedding  # noqa: E402
from sidc_torch.stage import prepare_stage, run_iteration  # noqa: E402


def timed(fns, warmup, iters):
    """Wall and CPU seconds of each function per call, the functions called in turn (a, b, a, b, ...) so that
    a change in the machine's load reaches both."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    out = [([], []) for _ in fns]
    for _ in range(iters):
        for fn, (ts, cpu) in zip(fns, out):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            ts.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return out


def nodes_of(stage, op):
    return [n for p in stage['phases'] for n in p['nodes'] if n['op'] == op] + [n for n in stage['shared'] if n['op'] == op]


def guidance(node):
    g = node['attrs'].get('guidance')
    if isinstance(g, (int, float)):
        return 'cfg', float(g)
    g = g or {}
    return g.get('mode') or 'none', float(g.get('scale') or 1)


class PlainSid:
    """One SiD iteration in plain PyTorch on copies of the engine's nets. Constants (guidance, time scale,
    batch, lambda, alpha, lr) are read from the graph once here; the loop itself touches no graph."""

    def __init__(self, graph, stage, st):
        self.B, self.dim = st.batch, st.dim
        self.phi, self.psi, self.G = (copy.deepcopy(st.nets[n].net) for n in ('phi', 'psi', 'G'))
        vel = {n['attrs']['net']: n for n in nodes_of(stage, 'velocity')}
        self.g_phi, self.g_psi = guidance(vel['phi']), guidance(vel['psi'])  # the generator phase's (the later node)
        self.g_fake = guidance(next(n for n in stage['phases'][0]['nodes'] if n['op'] == 'velocity'))
        self.ts = float(vel['phi']['attrs'].get('time_scale') or 1)
        gen = nodes_of(stage, 'generate')[0]['attrs']
        self.steps = int(gen.get('steps') or 4)
        self.gts = float(gen.get('time_scale') or config_value(graph, 'teacher.time_scale') or 1)
        sl = nodes_of(stage, 'sid_loss')[0]['attrs']
        self.lam, self.alpha = float(sl.get('lambda_sid', 100)), float(sl.get('alpha', 1))
        dist = nodes_of(stage, 'sample_t')[0]['attrs'].get('distribution') or {}
        self.t_mean, self.t_std = float(dist.get('mean', math.log(2))), float(dist.get('std', 1.6))
        self.rows = torch.tensor(st.prompts['rows']) if st.prompts else torch.arange(st.classes or 1)
        self.null = int(self.phi.null_condition)
        opt = {p['updates']: p['optimizer'] for p in stage['phases']}
        self.params_G = [p for p in self.G.parameters() if p.requires_grad]
        mk = lambda params, o: torch.optim.Adam(params, lr=o['lr'], betas=(o['beta1'], o['beta2']), eps=o['eps'])
        self.opt_psi, self.opt_G = mk([p for p in self.psi.parameters() if p.requires_grad], opt['psi']), mk(self.params_G, opt['G'])

    def velocity(self, net, x, t, c, g):
        mode, scale = g
        t = t * self.ts
        if mode == 'none' or scale == 1:
            return net(x, t, c)
        if mode == 'embedded':
            own, net.guidance = net.guidance, scale
            try:
                return net(x, t, c)
            finally:
                net.guidance = own
        nul = torch.full((self.B,), self.null, dtype=torch.int64)
        out = net(torch.cat([x, x]), torch.cat([t, t]), torch.cat([nul, c]))
        return out[:self.B] + scale * (out[self.B:] - out[:self.B])

    def generate(self, k, c, grad):
        D = torch.zeros(self.B, self.dim)
        for i in range(k):
            ti = 1 - i / self.steps
            x = (1 - ti) * D + ti * torch.randn(self.B, self.dim)
            last = i == k - 1
            with torch.set_grad_enabled(last and grad):
                D = x - ti * self.G(x, torch.full((self.B,), ti * self.gts), c)
        return D if grad else D.detach()

    def draws(self):
        c = self.rows[torch.randint(len(self.rows), (self.B,))]
        t = torch.sigmoid(self.t_mean + self.t_std * torch.randn(self.B))
        return c, t, torch.randn(self.B, self.dim)

    def fake_loss(self, c, t, eps, xg):
        """Flow matching of psi on the generator's (detached) samples."""
        v = self.velocity(self.psi, (1 - t[:, None]) * xg + t[:, None] * eps, t, c, self.g_fake)
        return ((v - (eps - xg)) ** 2).sum() / self.B

    def generator_loss(self, c, t, eps, xg):
        """eq. 18 with guided phi and psi, w(t) = 1 - t; the gradient reaches G through x_g and, through phi and
        psi (differentiated with respect to their input), through x_t."""
        xt = (1 - t[:, None]) * xg + t[:, None] * eps
        yr = xt - t[:, None] * self.velocity(self.phi, xt, t, c, self.g_phi)
        yf = xt - t[:, None] * self.velocity(self.psi, xt, t, c, self.g_psi)
        d = yr - yf
        return (self.lam / self.B) * ((1 - t)[:, None] * (d * ((yr - xg) - self.alpha * d))).sum()

    def iteration(self):
        k = int(torch.randint(1, self.steps + 1, ()))
        c, t, eps = self.draws()
        loss = self.fake_loss(c, t, eps, self.generate(k, c, False))
        self.opt_psi.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_psi.step()
        c, t, eps = self.draws()
        loss = self.generator_loss(c, t, eps, self.generate(k, c, True))
        self.opt_G.zero_grad(set_to_none=True)
        loss.backward(inputs=self.params_G)  # G's gradient only: psi's weights take none here
        self.opt_G.step()


def check_same_gradients(stage, st, plain):
    """That the plain losses are the engine's: after two engine iterations (psi no longer equals phi), each phase's
    graph nodes run by the engine, then the plain loss on the engine's draws and nets; the relative L2 difference
    of the updated net's gradients (0 when the same ops)."""
    from sidc_torch.ops import exec_node
    for _ in range(2):
        run_iteration(st)
    plain.phi, plain.psi, plain.G = (st.nets[n].net for n in ('phi', 'psi', 'G'))
    env = {}
    for node in stage['shared']:
        exec_node(node, env, st, 1)
    out = {}
    for phase, loss_of in zip(stage['phases'], (plain.fake_loss, plain.generator_loss)):
        for node in phase['nodes']:
            exec_node(node, env, st, 1)
        first = lambda op: env[next(f"{n['id']}.{next(iter(n['outputs']))}" for n in phase['nodes'] if n['op'] == op)]
        params = [p for p in st.nets[phase['updates']].net.parameters() if p.requires_grad]
        ge = torch.autograd.grad(env[phase['loss']], params, retain_graph=True)
        gp = torch.autograd.grad(loss_of(first('sample_condition'), first('sample_t'), first('sample_noise'), first('generate')), params)
        l2 = lambda gs: math.sqrt(sum(float(g.double().pow(2).sum()) for g in gs))
        out[phase['name']] = {'relative_l2_difference': l2([a - b for a, b in zip(ge, gp)]) / l2(ge), 'l2': l2(ge)}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--graph', required=True)
    ap.add_argument('--iters', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--profile', action='store_true')
    ap.add_argument('--check', action='store_true', help='only compare the plain and the engine gradients (check_same_gradients)')
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    graph = json.load(open(a.graph))
    stage = next(s for s in graph['stages'] if s['name'] == 'sid')
    st = prepare_stage(graph, stage, {}, 'cpu')
    plain = PlainSid(graph, stage, st)
    if a.check:
        print(json.dumps(check_same_gradients(stage, st, plain)))
        return
    (engine, engine_cpu), (base, base_cpu) = timed([lambda: run_iteration(st), plain.iteration], a.warmup, a.iters)
    out = {'batch': st.batch, 'dim': st.dim, 'threads': torch.get_num_threads(), 'torch': torch.__version__,
           'params_G': sum(p.numel() for p in plain.G.parameters()), 'guidance_phi': list(plain.g_phi), 'guidance_psi': list(plain.g_psi),
           'guidance_fake_phase': list(plain.g_fake), 'embedded': has_guidance_embedding(plain.phi),
           'engine_seconds': engine, 'plain_seconds': base,
           'engine_median': statistics.median(engine), 'plain_median': statistics.median(base),
           'engine_cpu_median': statistics.median(engine_cpu), 'plain_cpu_median': statistics.median(base_cpu)}
    out['overhead'] = out['engine_median'] / out['plain_median'] - 1
    out['overhead_cpu'] = out['engine_cpu_median'] / out['plain_cpu_median'] - 1
    if a.profile:
        pr = cProfile.Profile()
        pr.enable()
        run_iteration(st)
        pr.disable()
        stats = pstats.Stats(pr, stream=io.StringIO())
        by_file = {}
        for (file, _, fn), (_, _, tottime, _, _) in stats.stats.items():
            key = os.path.basename(file) if file != '~' else f'torch/builtin {fn}'
            by_file[key] = by_file.get(key, 0.0) + tottime
        out['profile_seconds'] = stats.total_tt
        out['profile_own_seconds_by_file'] = {k: round(v, 4) for k, v in sorted(by_file.items(), key=lambda kv: -kv[1])[:12]}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
