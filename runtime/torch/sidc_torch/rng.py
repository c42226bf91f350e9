"""The run's one seeded PRNG, bit for bit runtime/rng/prng.ts: xoshiro128** seeded by splitmix32,
uniforms with 53 bits, normals by Box-Muller in float64 (stored float32 by `normals`). Same seed, same
stream in both engines - that is what lets a torch run take the same draws as a tfjs run.

Draws come from a buffer of outputs generated ahead with numpy (a per-draw Python loop cost the torch
engine more than its nets). xoshiro128**'s state transition is linear over GF(2) (a 128x128 bit matrix T),
so n outputs split into L lanes of m = 2^a steps, lane j starting at T^(j m) s (by doubling, with cached
T^(2^i)); the lanes step together and are read lane after lane. get_state jumps the buffer's start state
to the read position, so checkpoints store exactly the state prng.ts would have."""
from __future__ import annotations

import math
from typing import List

import numpy as np

M32 = 0xFFFFFFFF
_TWO_PI = 2 * math.pi
# refills double from the first to the last size: a stream used for a few draws generates few ahead
_REFILL_MIN, _REFILL_MAX = 256, 1 << 20


def _splitmix32(seed: int):
    s = seed & M32

    def nxt() -> int:
        nonlocal s
        s = (s + 0x9E3779B9) & M32
        z = s
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
        return (z ^ (z >> 16)) & M32

    return nxt


class Rng:
    def __init__(self, seed):
        if isinstance(seed, (list, tuple)):
            self.set_state(seed)
        else:
            sm = _splitmix32(int(seed))
            st = [sm() for _ in range(4)]
            if all(v == 0 for v in st):
                st[0] = 1
            self.set_state(st)

    @staticmethod
    def derive(seed: int, label: str) -> 'Rng':
        """An independent stream from a seed and a label (e.g. 'stage:sid'), as Rng.derive in prng.ts."""
        h = int(seed) & M32
        for ch in label:
            # JS charCodeAt: UTF-16 code units
            for unit in ch.encode('utf-16-le')[::2] if ord(ch) > 0xFFFF else [ord(ch)]:
                h = ((h ^ unit) * 0x01000193) & M32
        return Rng(h)

    def get_state(self) -> List[int]:
        """The state after the draws taken so far (not after the buffer generated ahead)."""
        if self._pos == len(self._buf):
            return list(self._end)
        return _jump(self._start, self._pos)

    def set_state(self, st) -> None:
        self._end = [int(v) & M32 for v in st]
        self._start = list(self._end)  # the state before _buf[0]
        self._buf = np.empty(0, dtype=np.uint32)
        self._pos = 0
        self._refill = _REFILL_MIN

    def u32s(self, n: int) -> np.ndarray:
        """The next n 32-bit outputs, uint32 (often a read-only view of the buffer)."""
        pos, buf = self._pos, self._buf
        if pos + n <= len(buf):
            self._pos = pos + n
            return buf[pos:pos + n]
        rest = buf[pos:]
        size = max(n - len(rest), self._refill)
        self._refill = min(2 * self._refill, _REFILL_MAX)
        self._start = self._end
        self._buf, self._end = _generate(self._start, size)
        self._buf.setflags(write=False)  # views of it are handed out: a caller writing into one would change the stream
        self._pos = n - len(rest)
        return np.concatenate([rest, self._buf[:self._pos]])

    def next_u32(self) -> int:
        pos = self._pos
        if pos < len(self._buf):  # the scalar fast path: no array is made
            self._pos = pos + 1
            return self._buf.item(pos)
        return int(self.u32s(1)[0])

    def uniforms(self, n: int) -> np.ndarray:
        """n uniforms in (0, 1), never 0 or 1 (53-bit), float64."""
        u = self.u32s(2 * n)
        hi = (u[0::2] >> 5).astype(np.float64)
        lo = (u[1::2] >> 6).astype(np.float64)
        # hi 2^26 + lo is an exact integer < 2^53; + 0.5 then rounds as prng.ts's float addition does
        return (hi * 67108864 + lo + 0.5) / 9007199254740992

    def uniform(self) -> float:
        """uniforms(1)[0], in Python ints and floats (the same operations, so the same bits)."""
        hi = self.next_u32() >> 5
        lo = self.next_u32() >> 6
        return (hi * 67108864 + lo + 0.5) / 9007199254740992

    def ints(self, k: int, n: int) -> np.ndarray:
        """n integers in [0, k), int64."""
        return np.floor(self.uniforms(n) * k).astype(np.int64)

    def int(self, n: int) -> int:
        return math.floor(self.uniform() * n)

    def normal(self) -> float:
        """One float64 normal (u1 for the radius, u2 for the angle; the sine half is not used)."""
        u1 = self.uniform()
        u2 = self.uniform()
        return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)

    def normals(self, n: int) -> np.ndarray:
        """n standard normals (pairs from one Box-Muller draw), float64 math, stored float32. numpy's float64
        log / cos / sin differ from V8's by up to a few ulps in about half the draws, but the float32 values are
        prng.ts's bit for bit in every one of 20M draws measured: a difference needs a float64 value within a few
        ulps of a float32 rounding boundary (~1e-9 per draw), and would be one float32 ulp."""
        pairs = (n + 1) // 2
        u = self.uniforms(2 * pairs)
        r = np.sqrt(-2 * np.log(u[0::2]))
        a = _TWO_PI * u[1::2]
        out = np.empty((pairs, 2), dtype=np.float64)
        out[:, 0] = r * np.cos(a)
        out[:, 1] = r * np.sin(a)
        return out.reshape(-1)[:n].astype(np.float32)


def _step(s0, s1, s2, s3):
    """One xoshiro128** state transition on uint32 arrays (lanes); s0..s2 in place, returns the new s3."""
    t = s1 << np.uint32(9)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    return (s3 << np.uint32(11)) | (s3 >> np.uint32(21))


def _scramble(s1):
    """The ** output: rotl(s1 * 5, 7) * 9 (uint32 arithmetic wraps as Math.imul's)."""
    x = s1 * np.uint32(5)
    return ((x << np.uint32(7)) | (x >> np.uint32(25))) * np.uint32(9)


# --- GF(2) jumps: T^(2^i) as 128x128 0/1 float32 matrices (exact: a product sums at most 128 ones) ---
_POW2: List[np.ndarray] = []


def _bits(states: np.ndarray) -> np.ndarray:
    """[L, 4] uint32 -> [L, 128] 0/1 float32, bit 32 w + b = bit b of word w."""
    return np.unpackbits(np.ascontiguousarray(states, dtype='<u4').view(np.uint8), axis=1, bitorder='little').astype(np.float32)


def _words(bits: np.ndarray) -> np.ndarray:
    return np.packbits(bits.astype(np.uint8), axis=1, bitorder='little').view('<u4').astype(np.uint32)


def _mod2(x: np.ndarray) -> np.ndarray:
    return (x.astype(np.uint8) & 1).astype(np.float32)  # np.remainder on floats is ~50x slower


def _t_pow2(i: int) -> np.ndarray:
    """T^(2^i); T's column k is one step of the unit state e_k."""
    if not _POW2:
        e = np.zeros((128, 4), dtype=np.uint32)
        e[np.arange(128), np.arange(128) // 32] = np.uint32(1) << (np.arange(128) % 32).astype(np.uint32)
        s = [e[:, w].copy() for w in range(4)]
        s[3] = _step(*s)
        _POW2.append(_bits(np.stack(s, axis=1)).T.copy())
    while len(_POW2) <= i:
        p = _POW2[-1]
        _POW2.append(_mod2(p @ p))
    return _POW2[i]


def _jump(s, n: int) -> List[int]:
    """The state n steps after s: T^n s, T^n as a product of the cached T^(2^i)."""
    bits, i = _bits(np.array([s], dtype=np.uint32)), 0
    while n:
        if n & 1:
            bits = _mod2(bits @ _t_pow2(i).T)
        n, i = n >> 1, i + 1
    return [int(v) for v in _words(bits)[0]]


def _lane_starts(s, a: int, L: int) -> np.ndarray:
    """[L, 4] uint32: lane j starts at T^(j 2^a) s, by doubling (lanes [k, 2k) = T^(k 2^a) applied to [0, k))."""
    bits = _bits(np.array([s], dtype=np.uint32))
    k, b = 1, 0
    while k < L:
        bits = np.concatenate([bits, _mod2(bits[:min(k, L - k)] @ _t_pow2(a + b).T)])
        k, b = 2 * k, b + 1
    return _words(bits)


def _generate(s, n: int):
    """The n outputs that follow state s, and the state after them."""
    # m = 2^a steps ~ sqrt(n / 4): each lane's start costs about as much as 100 steps of all lanes
    a = max(4, int(math.sqrt(n / 4)).bit_length() - 1)
    m = 1 << a
    L = -(-n // m)
    st = _lane_starts(s, a, L)
    s0, s1, s2, s3 = (st[:, w].copy() for w in range(4))
    last = n - (L - 1) * m  # steps of the last lane
    hist = np.empty((m, L), dtype=np.uint32)
    end = None
    for i in range(m):
        hist[i] = s1
        s3 = _step(s0, s1, s2, s3)
        if i + 1 == last:
            end = [int(s0[-1]), int(s1[-1]), int(s2[-1]), int(s3[-1])]
    return _scramble(hist).T.reshape(-1)[:n], end
