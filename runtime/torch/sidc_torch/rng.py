"""The run's one seeded PRNG, bit for bit runtime/rng/prng.ts: xoshiro128** seeded by splitmix32,
uniforms with 53 bits, normals by Box-Muller in float64 (stored float32 by `normals`). Same seed, same
stream in both engines - that is what lets a torch run take the same draws as a tfjs run."""
from __future__ import annotations

import math
from typing import List

import numpy as np

M32 = 0xFFFFFFFF


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


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & M32


class Rng:
    def __init__(self, seed):
        if isinstance(seed, (list, tuple)):
            self.s = [int(v) & M32 for v in seed]
        else:
            sm = _splitmix32(int(seed))
            self.s = [sm() for _ in range(4)]
            if all(v == 0 for v in self.s):
                self.s[0] = 1

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
        return list(self.s)

    def set_state(self, st) -> None:
        self.s = [int(v) & M32 for v in st]

    def next_u32(self) -> int:
        s = self.s
        result = (_rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 11)
        return result

    def uniform(self) -> float:
        """Uniform in (0, 1), never 0 or 1 (53-bit)."""
        hi = self.next_u32() >> 5
        lo = self.next_u32() >> 6
        return (hi * 67108864 + lo + 0.5) / 9007199254740992

    def int(self, n: int) -> int:
        return math.floor(self.uniform() * n)

    def normal(self) -> float:
        u1 = self.uniform()
        u2 = self.uniform()
        return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)

    def normals(self, n: int) -> np.ndarray:
        """n standard normals (pairs from one Box-Muller draw), float64 math, stored float32."""
        out = np.empty(n, dtype=np.float64)
        for i in range(0, n, 2):
            r = math.sqrt(-2 * math.log(self.uniform()))
            a = 2 * math.pi * self.uniform()
            out[i] = r * math.cos(a)
            if i + 1 < n:
                out[i + 1] = r * math.sin(a)
        return out.astype(np.float32)

    def uniforms(self, n: int) -> np.ndarray:
        return np.array([self.uniform() for _ in range(n)], dtype=np.float64)
