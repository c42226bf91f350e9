"""Helper of test/runtime/torch/*.test.ts: reproduces, in the torch engine, what the tfjs side wrote
as JSON, and prints one JSON line with the results. Usage: engine_check.py <command> <in.json>."""
import json
import sys

import numpy as np

from sidc_torch.rng import Rng
from sidc_torch.schedule import restriction, sample_times, time_dist, weighting_of_t


def streams(spec):
    r = Rng.derive(spec['seed'], spec['label'])
    out = {'u32': [r.next_u32() for _ in range(spec['n'])], 'uniforms': list(r.uniforms(spec['n'])),
           'normals': [float(v) for v in r.normals(spec['n'] + 1)], 'ints': [r.int(7) for _ in range(spec['n'])]}
    out['state'] = r.get_state()
    r2 = Rng(out['state'])
    out['after_restore'] = r2.next_u32()
    out['plain'] = [Rng(s).next_u32() for s in (0, 1, 2 ** 32 - 1)]
    return out


def times(spec):
    out = []
    for case in spec['cases']:
        r = Rng.derive(case['seed'], 'stage:t')
        d = time_dist(case['distribution'])
        t = sample_times(d, restriction(case['distribution'], case.get('interval')), case['n'], r, case.get('sampling', 'inverse_cdf'))
        out.append([float(v) for v in t])
    ws = []
    for w in spec['weightings']:
        f = weighting_of_t(w)
        ws.append([float(np.float32(f(float(np.float32(t))))) for t in spec['t']])
    return {'times': out, 'weightings': ws}


def formats(spec):
    """Writes spec['tensors'] with the torch engine's writer; reads the tfjs-written file and index."""
    import torch
    from sidc_torch.formats import safetensors as stf
    dt = {'F32': torch.float32, 'BF16': torch.bfloat16, 'F16': torch.float16}
    stf.write(spec['out'], {k: torch.tensor(v['data'], dtype=torch.float32).to(dt[v['dtype']]).reshape(v['shape']) for k, v in spec['tensors'].items()}, spec['metadata'])
    got, meta = stf.read(spec['tfjs_file'])
    sharded, _ = stf.read_checkpoint(spec['index'])
    return {'read': {k: [str(t.dtype), t.float().flatten().tolist()] for k, t in got.items()}, 'meta': meta,
            'sharded': {k: t.float().flatten().tolist() for k, t in sharded.items()}}


if __name__ == '__main__':
    cmd, path = sys.argv[1], sys.argv[2]
    spec = json.load(open(path))
    print(json.dumps({'streams': streams, 'times': times, 'formats': formats}[cmd](spec)))
