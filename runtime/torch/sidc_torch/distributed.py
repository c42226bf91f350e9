"""Several processes, one run (docs/distributed.md): data parallel over a process group.

The worker protocol is the environment torchrun and Slurm use: RANK, WORLD_SIZE, LOCAL_RANK,
MASTER_ADDR, MASTER_PORT (Slurm's SLURM_PROCID / SLURM_NTASKS / SLURM_LOCALID stand in for the first
three when those are unset). WORLD_SIZE unset or 1 is a single process and no process group.

What makes N processes one run:
- every rank draws the GLOBAL batch (per-device batch x world) from the shared PRNG stream and keeps its
  own rows (`global_batch`, `local_rows`, `RowsRng`): the union of the ranks' samples is exactly the
  batch one process with the same global batch draws, and every rank's PRNG stays in the same state;
- each phase's summed gradient is averaged over the ranks in float32 (gloo cannot reduce bf16) before
  nan_to_num, clip and Adam, which then take the same step on every rank (the losses are 1/B_local
  normalised, so the mean over ranks is the single process's 1/B_global loss);
- losses, loss terms and dropped-sample counts are averaged / summed so metrics read as one process's;
- rank 0 alone writes metrics, checkpoints, stage products and progress; the others wait at a barrier;
- ranks refuse to start unless they all hold the same graph hash, and stop (Ctrl-C) together."""
from __future__ import annotations

import datetime
import hashlib
import os
from dataclasses import dataclass
from typing import Dict, Optional

import torch


class DistError(Exception):
    """A process-group problem: one line for the user, exit 2."""


def _env_int(names, default=None):
    for n in names:
        v = os.environ.get(n)
        if v not in (None, ''):
            try:
                return int(v)
            except ValueError:
                raise DistError(f'{n}={v!r} is not an integer') from None
    return default


@dataclass
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0
    backend: Optional[str] = None

    @property
    def writer(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.size > 1

    # --- collectives (no-ops on a single process) -------------------------------------------------
    def barrier(self) -> None:
        if self.active:
            import torch.distributed as dist
            dist.barrier()

    def mean_(self, tensors) -> None:
        """Averages float32 tensors in place over the ranks (one flat all-reduce)."""
        if not self.active or not tensors:
            return
        import torch.distributed as dist
        flat = torch.cat([t.reshape(-1).to(torch.float32) for t in tensors]).to(self._comm_device(tensors[0]))
        dist.all_reduce(flat)
        flat /= self.size
        i = 0
        for t in tensors:
            n = t.numel()
            t.copy_(flat[i:i + n].reshape(t.shape).to(t.device, t.dtype))
            i += n

    def sum_floats(self, values):
        """Sums a list of Python numbers over the ranks (float64)."""
        if not self.active:
            return list(values)
        import torch.distributed as dist
        t = torch.tensor(list(values), dtype=torch.float64, device=self._comm_device(None))
        dist.all_reduce(t)
        return t.tolist()

    def any(self, flag: bool) -> bool:
        return bool(self.sum_floats([1.0 if flag else 0.0])[0] > 0) if self.active else bool(flag)

    def broadcast_params_(self, module) -> None:
        """Rank 0's parameters and buffers on every rank (the nets are built from the same seed and files;
        this makes it so even where a loader is not deterministic)."""
        if not self.active:
            return
        import torch.distributed as dist
        with torch.no_grad():
            for t in list(module.parameters()) + list(module.buffers()):
                if t.dtype == torch.bfloat16 and self.backend == 'gloo':  # gloo has no bf16: go through fp32
                    buf = t.detach().float().to(self._comm_device(t))
                    dist.broadcast(buf, 0)
                    t.copy_(buf.to(t.dtype))
                else:
                    buf = t.detach().to(self._comm_device(t)).contiguous()
                    dist.broadcast(buf, 0)
                    t.copy_(buf)

    def check_same_graph(self, graph_hash: str) -> None:
        """Every rank must execute the same graph: refuse (on every rank) when the hashes differ."""
        if not self.active:
            return
        import torch.distributed as dist
        digest = hashlib.sha256(str(graph_hash).encode()).digest()[:8]
        mine = torch.tensor([int.from_bytes(digest, 'little', signed=True)], dtype=torch.int64, device=self._comm_device(None))
        every = [torch.zeros_like(mine) for _ in range(self.size)]
        dist.all_gather(every, mine)
        if any(int(e.item()) != int(mine.item()) for e in every):
            odd = [r for r, e in enumerate(every) if int(e.item()) != int(every[0].item())]
            raise DistError(f"ranks disagree on the graph hash (rank 0 has {str(graph_hash)[:12]}...; ranks {', '.join(map(str, odd))} differ): start every rank with the same graph.json")

    def _comm_device(self, like):
        return torch.device('cuda', torch.cuda.current_device()) if self.backend == 'nccl' else torch.device('cpu')


SINGLE = World()


def world_from_env() -> World:
    """RANK / WORLD_SIZE / LOCAL_RANK (or Slurm's) without starting anything."""
    size = _env_int(['WORLD_SIZE', 'SLURM_NTASKS'], 1)
    rank = _env_int(['RANK', 'SLURM_PROCID'], 0)
    local = _env_int(['LOCAL_RANK', 'SLURM_LOCALID'], rank)
    if size < 1:
        raise DistError(f'WORLD_SIZE={size}: needs at least 1 process')
    if not 0 <= rank < size:
        raise DistError(f'RANK={rank} is outside 0..{size - 1} (WORLD_SIZE={size})')
    return World(rank=rank, size=size, local_rank=local)


def device_for(device: str, w: World) -> str:
    """`cuda` on a multi-process run means this process's GPU, cuda:LOCAL_RANK."""
    if device == 'cuda' and w.active:
        n = torch.cuda.device_count()
        if w.local_rank >= n:
            raise DistError(f'LOCAL_RANK={w.local_rank} but this node has {n} GPU(s): ask for at most {n} devices per node')
        return f'cuda:{w.local_rank}'
    return device


def init(device: str, timeout_s: float = 120.0) -> World:
    """Joins the process group the environment describes: gloo on cpu, nccl on cuda."""
    w = world_from_env()
    if not w.active:
        return w
    import torch.distributed as dist
    if not dist.is_available():
        raise DistError(f'this torch ({torch.__version__}) is built without torch.distributed; run one process (devices = 1 x ...)')
    backend = 'nccl' if device.startswith('cuda') else 'gloo'
    if backend == 'nccl' and not dist.is_nccl_available():
        raise DistError(f'this torch ({torch.__version__}) has no NCCL: multi-GPU runs need a CUDA build of torch')
    for n in ('MASTER_ADDR', 'MASTER_PORT'):
        if not os.environ.get(n):
            raise DistError(f'{n} is not set: every rank needs MASTER_ADDR and MASTER_PORT of rank 0 (sidc run and the Slurm launcher set them)')
    if device.startswith('cuda'):
        torch.cuda.set_device(torch.device(device))
    try:
        dist.init_process_group(backend, init_method='env://', rank=w.rank, world_size=w.size, timeout=datetime.timedelta(seconds=timeout_s))
    except Exception as e:  # a refused or timed-out rendezvous: one line
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise DistError(f"process group ({backend}, rank {w.rank} of {w.size}, {os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']}) did not start: {msg}") from None
    w.backend = backend
    return w


def shutdown(w: World) -> None:
    if w.active:
        import torch.distributed as dist
        if dist.is_initialized():
            dist.destroy_process_group()


# --- draws: the global batch from the shared stream, this rank's rows -----------------------------
def global_batch(st) -> int:
    return st.batch * _world(st).size


def local_rows(st, x):
    """Rows [rank*B, (rank+1)*B) of a global-batch draw (a tensor, array or list)."""
    w = _world(st)
    if not w.active:
        return x
    return x[w.rank * st.batch:(w.rank + 1) * st.batch]


class RowsRng:
    """The stage PRNG for the per-sample draws of a function that sees only local rows (the generator's
    fresh noise): normals(n) draws n x world and returns this rank's contiguous slice."""

    def __init__(self, rng, w: World):
        self.rng, self.w = rng, w

    def normals(self, n: int):
        return self.rng.normals(n * self.w.size)[self.w.rank * n:(self.w.rank + 1) * n]


def rows_rng(st):
    w = _world(st)
    return RowsRng(st.rng, w) if w.active else st.rng


def _world(st) -> World:
    return getattr(st, 'world', None) or SINGLE


# --- the iteration's reductions ---------------------------------------------------------------------
def reduce_phase(st, sums: Dict[str, torch.Tensor], loss: float) -> float:
    """Averages a phase's summed float32 gradients and its loss over the ranks; returns the mean loss."""
    w = _world(st)
    if not w.active:
        return loss
    w.mean_(list(sums.values()))
    return w.sum_floats([loss])[0] / w.size


def reduce_iteration(st, dropped_before: int) -> None:
    """Mean loss terms and the summed count of dropped NaN samples, so metrics read as one process's."""
    w = _world(st)
    if not w.active:
        return
    keys = sorted(st.terms or {})
    vals = w.sum_floats([st.terms[k] for k in keys] + [st.stats['dropped'] - dropped_before])
    for k, v in zip(keys, vals):
        st.terms[k] = v / w.size
    st.stats['dropped'] = dropped_before + int(vals[-1])
