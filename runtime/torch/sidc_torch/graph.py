"""Loading and checking the execution graph (compiler/graph/types.ts): the engine's whole input."""
from __future__ import annotations

import json

from . import GRAPH_FORMAT, GRAPH_VERSIONS
from .ops import OP_IMPLS


class GraphError(Exception):
    pass


def load_graph(path: str) -> dict:
    try:
        with open(path, encoding='utf8') as f:
            g = json.load(f)
    except OSError as e:
        raise GraphError(f'cannot read graph {path}: {e.strerror}') from None
    except json.JSONDecodeError as e:
        raise GraphError(f'{path}:{e.lineno}:{e.colno}: not valid JSON ({e.msg})') from None
    validate(g, path)
    return g


def validate(g, path: str) -> None:
    if not isinstance(g, dict) or g.get('format') != GRAPH_FORMAT:
        raise GraphError(f"{path}: not an execution graph (format is {g.get('format') if isinstance(g, dict) else None!r}, expected '{GRAPH_FORMAT}'); write one with `sidc compile`")
    if g.get('version') not in GRAPH_VERSIONS:
        raise GraphError(f"{path}: graph version {g.get('version')!r} is not one this torch engine knows "
                         f"({', '.join(map(str, GRAPH_VERSIONS))}); update runtime/torch or recompile with a matching sidc")
    for key in ('config', 'bindings', 'stages', 'hash'):
        if key not in g:
            raise GraphError(f"{path}: graph has no '{key}'")
    names = set()
    for s in g['stages']:
        if s.get('name') in names:
            raise GraphError(f"{path}: stage '{s.get('name')}' appears twice")
        names.add(s.get('name'))
        for p in s.get('phases', []):
            for n in p.get('nodes', []):
                if n.get('op') not in OP_IMPLS:
                    raise GraphError(f"{path}: stage {s['name']}, node {n.get('id')}: op '{n.get('op')}' is not in the catalogue this engine implements")
        for n in s.get('shared', []):
            if n.get('op') not in OP_IMPLS:
                raise GraphError(f"{path}: stage {s['name']}, node {n.get('id')}: unknown op '{n.get('op')}'")
        for a in s.get('after', []):
            if a not in {x.get('name') for x in g['stages']}:
                raise GraphError(f"{path}: stage {s['name']} runs after unknown stage {a}")


def config_value(graph: dict, path: str):
    c = graph.get('config', {})
    if path in c:
        return c[path]
    cur = c
    for seg in path.split('.'):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(seg)
    return cur


def stage_setting(graph, stage, attr_names, config_path, dflt):
    """A stage attr (by any of its names), else a config path, else the default."""
    for a in attr_names:
        if stage['attrs'].get(a) is not None:
            return stage['attrs'][a]
    if config_path:
        v = config_value(graph, config_path)
        if v is not None:
            return v
    return dflt
