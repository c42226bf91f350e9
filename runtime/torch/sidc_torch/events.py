"""The engine's stdout protocol: one JSON object per line, rendered by the TS launcher
(runtime/torch/launch.ts) like the tfjs engine's progress. Events: log {message}, progress {stage,
images, total, losses, final?}, eval {table}, monitor {stage, images, metrics, kept} (an evaluation during
training, monitor.py; the launcher prints it and redraws monitor-<metric>.png), error {message}, done {completed}."""
from __future__ import annotations

import json
import sys
import time

_last = [0.0]


def emit(event: str, **fields) -> None:
    sys.stdout.write(json.dumps({'event': event, **fields}) + '\n')
    sys.stdout.flush()


def log(message: str) -> None:
    emit('log', message=message)


def progress(stage: str, images: int, total: int, losses: dict, final: bool = False) -> None:
    """At most ~4 lines a second (the launcher redraws its bar from them), always the last one."""
    now = time.perf_counter()
    if final or now - _last[0] > 0.25:
        _last[0] = now
        emit('progress', stage=stage, images=images, total=total, losses={k: float(v) for k, v in losses.items()}, **({'final': True} if final else {}))
