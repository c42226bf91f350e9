"""Safetensors reader/writer (F32, F16, BF16 + string metadata + sharded diffusers index), byte-compatible
with runtime/formats/safetensors.ts: header JSON padded with spaces to a multiple of 8, tensors laid out
F32, then BF16, then F16, each group by name; written atomically (temp file + rename)."""
from __future__ import annotations

import json
import os
import struct
from typing import Dict, Iterator, Optional, Tuple

import numpy as np
import torch

DTYPES = {'F32': (torch.float32, 4), 'F16': (torch.float16, 2), 'BF16': (torch.bfloat16, 2),
          'F64': (torch.float64, 8), 'I64': (torch.int64, 8), 'I32': (torch.int32, 4)}
_RANK = {'F16': 0, 'BF16': 1, 'F32': 2}  # the reference writer's layout order: wider first


class SafetensorsError(Exception):
    """A bad file: the message names the file and what is wrong."""


def dtype_name(t: torch.Tensor) -> str:
    for k, (dt, _) in DTYPES.items():
        if t.dtype == dt:
            return k
    raise SafetensorsError(f'cannot store dtype {t.dtype}')


def _to_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().to('cpu').contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype('<i2').tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder('<')).tobytes()


def write(path: str, tensors: Dict[str, torch.Tensor], metadata: Optional[Dict[str, str]] = None) -> None:
    """Writes tensors (stored in their own dtype: F32, F16 or BF16) and string metadata, atomically."""
    for k, v in (metadata or {}).items():
        if not isinstance(v, str):
            raise SafetensorsError(f'{path}: metadata {k!r} is {type(v).__name__}; metadata values must be strings')
    names = [n for n in tensors]
    for n in names:
        if n == '__metadata__':
            raise SafetensorsError(f"{path}: '__metadata__' is reserved and cannot name a tensor")
    kinds = {n: dtype_name(tensors[n]) for n in names}
    order = sorted(names, key=lambda n: (-_RANK.get(kinds[n], 3), n))
    header: Dict[str, object] = {}
    if metadata:
        header['__metadata__'] = metadata
    pos = 0
    blobs = []
    for n in order:
        b = _to_bytes(tensors[n])
        header[n] = {'dtype': kinds[n], 'shape': list(tensors[n].shape), 'data_offsets': [pos, pos + len(b)]}
        pos += len(b)
        blobs.append(b)
    hj = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf8')
    hj += b' ' * ((8 - len(hj) % 8) % 8)
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_header(path: str) -> Tuple[dict, Dict[str, str], int]:
    """(tensor entries, metadata, byte offset of the data section)."""
    try:
        size = os.path.getsize(path)
        with open(path, 'rb') as f:
            raw = f.read(8)
            if len(raw) < 8:
                raise SafetensorsError(f'{path}: not a safetensors file (shorter than 8 bytes)')
            (n,) = struct.unpack('<Q', raw)
            if n > size - 8:
                raise SafetensorsError(f'{path}: header length {n} exceeds the file size {size}')
            header = json.loads(f.read(n).decode('utf8'))
    except OSError as e:
        raise SafetensorsError(f'{path}: cannot read: {e.strerror}') from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SafetensorsError(f'{path}: header is not valid JSON') from None
    meta = header.pop('__metadata__', None) or {}
    return header, meta, 8 + n


def _read_tensor(f, path: str, name: str, info: dict, base: int) -> torch.Tensor:
    """One tensor of an open file, in its stored dtype: read straight into a writable buffer (one copy)."""
    dt = info.get('dtype')
    if dt not in DTYPES:
        raise SafetensorsError(f'{path}: tensor {name!r} has dtype {dt}, which this reader does not know ({", ".join(DTYPES)})')
    a, b = info['data_offsets']
    shape = info['shape']
    width = DTYPES[dt][1]
    numel = int(np.prod(shape)) if shape else 1
    buf = bytearray(b - a)
    f.seek(base + a)
    got = f.readinto(buf)
    if got != numel * width or len(buf) != numel * width:
        raise SafetensorsError(f'{path}: tensor {name!r} holds {got} bytes, shape {shape} needs {numel * width}')
    if dt == 'BF16':
        t = torch.from_numpy(np.frombuffer(buf, dtype='<i2')).view(torch.bfloat16)
    else:
        t = torch.from_numpy(np.frombuffer(buf, dtype={'F32': '<f4', 'F16': '<f2', 'F64': '<f8', 'I64': '<i8', 'I32': '<i4'}[dt]))
    return t.reshape(shape)


def read(path: str, names=None) -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
    """All (or the named) tensors in their stored dtype, and the metadata."""
    header, meta, base = read_header(path)
    out: Dict[str, torch.Tensor] = {}
    with open(path, 'rb') as f:
        for name, info in header.items():
            if names is None or name in names:
                out[name] = _read_tensor(f, path, name, info, base)
    return out, meta


def read_index(index_file: str) -> Dict[str, str]:
    """A diffusers/transformers `<prefix>.safetensors.index.json`: {tensor name: shard path}."""
    try:
        with open(index_file, encoding='utf8') as f:
            obj = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise SafetensorsError(f'{index_file}: cannot read the index: {e}') from None
    wm = obj.get('weight_map') if isinstance(obj, dict) else None
    if not isinstance(wm, dict):
        raise SafetensorsError(f'{index_file}: index has no "weight_map" object {{tensor name: shard file}}')
    d = os.path.dirname(index_file)
    out = {}
    for name, shard in wm.items():
        if not isinstance(shard, str) or '/' in shard or '\\' in shard:
            raise SafetensorsError(f'{index_file}: weight_map[{name!r}] must be a shard file name beside the index')
        out[name] = os.path.join(d, shard)
    return out


class Checkpoint:
    """A checkpoint's tensors by name, read one at a time on demand: ``shapes`` comes from the headers alone,
    ``items()`` reads each tensor as it is reached (shard by shard), so a loader that copies it into a module
    and drops it holds one tensor of the file at a time (nets/families/load.py)."""

    def __init__(self, path: str):
        self.path = path
        if os.path.isdir(path):
            files = sorted(os.listdir(path))
            idx = [f for f in files if f.endswith('.safetensors.index.json')]
            singles = [f for f in files if f.endswith('.safetensors')]
            if len(idx) == 1:
                path = os.path.join(path, idx[0])
            elif len(singles) == 1:
                path = os.path.join(path, singles[0])
            else:
                raise SafetensorsError(f'{path}: expected one .safetensors.index.json or exactly one .safetensors file')
        wm = read_index(path) if path.endswith('.index.json') else None
        self.by_shard: Dict[str, list] = {}
        for n, shard in (wm or {}).items():
            self.by_shard.setdefault(shard, []).append(n)
        if wm is None:
            self.by_shard[path] = None
        self.entries: Dict[str, Tuple[str, dict, int]] = {}
        self.metadata: Dict[str, str] = {}
        for shard, names in self.by_shard.items():
            header, meta, base = read_header(shard)
            for n in (names if names is not None else header):
                if n not in header:
                    raise SafetensorsError(f"{path}: weight_map puts {n!r} in {os.path.basename(shard)!r} but that shard has no such tensor")
                self.entries[n] = (shard, header[n], base)
            self.metadata.update(meta)
        self.shapes = {n: tuple(info['shape']) for n, (_, info, _) in self.entries.items()}

    def items(self) -> Iterator[Tuple[str, torch.Tensor]]:
        for shard in self.by_shard:
            with open(shard, 'rb') as f:
                for n, (s, info, base) in self.entries.items():
                    if s == shard:
                        yield n, _read_tensor(f, shard, n, info, base)


def read_checkpoint(path: str) -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
    """A single file, an index.json, or a directory holding one of them (as runtime/formats/diffusers-index.ts),
    every tensor in memory at once."""
    ck = Checkpoint(path)
    return dict(ck.items()), ck.metadata


def write_sharded(dir_path: str, prefix: str, tensors: Dict[str, torch.Tensor], max_bytes: int, metadata=None) -> str:
    """Writes `<prefix>-0000i-of-0000n.safetensors` shards + `<prefix>.safetensors.index.json`; returns the index path."""
    os.makedirs(dir_path, exist_ok=True)
    shards, cur, size = [], {}, 0
    for n in sorted(tensors):
        b = tensors[n].numel() * tensors[n].element_size()
        if cur and size + b > max_bytes:
            shards.append(cur)
            cur, size = {}, 0
        cur[n] = tensors[n]
        size += b
    if cur or not shards:
        shards.append(cur)
    wm, total = {}, 0
    for i, sh in enumerate(shards):
        fn = f'{prefix}-{i + 1:05d}-of-{len(shards):05d}.safetensors'
        write(os.path.join(dir_path, fn), sh, metadata)
        for n, t in sh.items():
            wm[n] = fn
            total += t.numel() * t.element_size()
    idx = os.path.join(dir_path, f'{prefix}.safetensors.index.json')
    tmp = idx + '.tmp'
    with open(tmp, 'w', encoding='utf8') as f:
        json.dump({'metadata': {'total_size': total}, 'weight_map': wm}, f, indent=2)
    os.replace(tmp, idx)
    return idx
