"""Snapshots a run keeps by monitor.keep, in the files runtime/tfjs/loop/snapshots.ts writes (docs/runtime.md
"Monitor"): snapshots/<name>.safetensors, a student file like student.safetensors with the record in its
metadata key `snapshot` (so `sidc sample RUN@best-fid` and `sidc eval RUN@best-fid` load it), and
snapshots/<name>.json, the record {name, rule, stage, iteration, images, steps, samples, metrics}. Names:
`last`, `best-<metric>` for `best(<metric>)`."""
from __future__ import annotations

import json
import os
import re

from . import jsjson
from .checkpoint import save_net

BEST = re.compile(r'^best\((\w+)\)$')


def snapshot_name(rule: str) -> str:
    m = BEST.match(rule)
    return f'best-{m.group(1)}' if m else rule


def snapshots_dir(run_dir: str) -> str:
    return os.path.join(run_dir, 'snapshots')


def write_snapshot(run_dir: str, rec: dict, net) -> None:
    """The net, then its record; each atomically (a crash leaves the old or the new file)."""
    d = snapshots_dir(run_dir)
    os.makedirs(d, exist_ok=True)
    save_net(os.path.join(d, f"{rec['name']}.safetensors"), net, {'stage': rec['stage'], 'snapshot': jsjson.dumps(rec)})
    path = os.path.join(d, f"{rec['name']}.json")
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'w', encoding='utf8') as f:
        f.write(jsjson.dumps(rec, 2) + '\n')
    os.replace(tmp, path)


def read_snapshot_records(run_dir: str) -> list:
    """The records that have their net file, by file name."""
    d = snapshots_dir(run_dir)
    if not os.path.isdir(d):
        return []
    names = sorted(f for f in os.listdir(d) if f.endswith('.json') and os.path.exists(os.path.join(d, f[:-5] + '.safetensors')))
    return [json.load(open(os.path.join(d, f), encoding='utf8')) for f in names]
