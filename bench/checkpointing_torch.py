#!/usr/bin/env python3
"""One measurement of bench/checkpointing.bench.ts, in a fresh process so that its peak RSS is its own:
a DiT or FLUX block stack (test/runtime/torch/checkpointing_check.py builds them) trained w.r.t. its weights
(forward, then backward of sum(v^2)) with hardware.gradient_checkpointing on or off, on one CPU thread.
usage: checkpointing_torch.py SPEC_JSON on|off REPEATS -> prints one JSON line:
  seconds / cpu_seconds (median wall / process CPU time of a forward + backward after one warm-up), saved_bytes (what autograd keeps after
  the forward, distinct storages, weights excluded: checkpointing_check.saved_bytes), rss_growth_bytes (peak
  RSS of the process after the passes minus its peak before the first one: resource.getrusage ru_maxrss, KiB
  on Linux), params.
"""
import json
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'runtime', 'torch'))
from checkpointing_check import dit_net, flux_net, saved_bytes  # noqa: E402


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(spec_json, mode, repeats):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    s = json.loads(spec_json)
    net = dit_net(s) if s['kind'] == 'dit' else flux_net(s)
    net.gradient_checkpointing = mode == 'on'
    b = s['batch']
    x, t = torch.randn(b, net.dim), torch.rand(b)
    c = torch.arange(b) % 10 if s['kind'] == 'dit' else torch.ones(b, dtype=torch.long)
    before = peak_rss()
    times, cpu = [], []
    for i in range(int(repeats) + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        net.zero_grad(set_to_none=True)
        v = net(x, t, c)
        (v * v).sum().backward()
        del v
        if i:  # the first pass is a warm-up
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    rss = peak_rss() - before
    saved = saved_bytes(net, x, t, c)
    print(json.dumps({'seconds': statistics.median(times), 'cpu_seconds': statistics.median(cpu), 'saved_bytes': saved, 'rss_growth_bytes': rss,
                      'params': sum(p.numel() for p in net.parameters())}))


if __name__ == '__main__':
    main(*sys.argv[1:4])
