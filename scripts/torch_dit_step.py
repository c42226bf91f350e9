#!/usr/bin/env python3
"""PyTorch reference for bench/dit.bench.ts: the same DiT (runtime/tfjs/nets/dit.ts) - patch embedding,
sinusoidal timestep + pooled-caption MLPs, adaLN-Zero blocks (LayerNorm without affine, fused qkv,
softmax attention, GELU-tanh MLP), final adaLN norm and projection - timed for one training step
(forward + backward of a flow-matching MSE loss), eager mode, on a given number of CPU threads.

Usage: python3 torch_dit_step.py --batch 64 --hidden 256 --depth 6 --heads 4 --size 32 --channels 4
                                 --patch 4 --threads 2 --steps 3 [--mlp-ratio 4 --text-dim 64 --freq-dim 256]
Prints one JSON line: {"seconds_per_step": [...], "median": s, "threads": n, "torch": version, "params": n}.
Exits 3 with {"error": "torch unavailable"} when torch cannot be imported.
"""
import argparse, json, math, sys, time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # noqa: BLE001 - any import failure means "not available"
    print(json.dumps({"error": "torch unavailable", "detail": str(e)}))
    sys.exit(3)


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class Block(nn.Module):
    def __init__(self, d, heads, ratio):
        super().__init__()
        self.heads = heads
        self.ada = nn.Linear(d, 6 * d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ff1 = nn.Linear(d, ratio * d)
        self.ff2 = nn.Linear(ratio * d, d)

    def forward(self, x, sc):
        b, n, d = x.shape
        sh_a, sc_a, g_a, sh_m, sc_m, g_m = self.ada(sc).chunk(6, dim=-1)
        h = F.layer_norm(x, (d,), eps=1e-6) * (1 + sc_a[:, None]) + sh_a[:, None]
        q, k, v = self.qkv(h).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), dim=-1) @ v
        x = x + g_a[:, None] * self.out(a.transpose(1, 2).reshape(b, n, d))
        h = F.layer_norm(x, (d,), eps=1e-6) * (1 + sc_m[:, None]) + sh_m[:, None]
        return x + g_m[:, None] * self.ff2(F.gelu(self.ff1(h), approximate="tanh"))


class DiT(nn.Module):
    def __init__(self, c, size, patch, d, depth, heads, ratio=4, text_dim=64, freq_dim=256):
        super().__init__()
        self.c, self.size, self.p, self.freq_dim = c, size, patch, freq_dim
        self.patch_embed = nn.Linear(c * patch * patch, d)
        self.register_buffer('pos', torch.zeros(1, (size // patch) ** 2, d))  # fixed sin-cos table
        self.t1, self.t2 = nn.Linear(freq_dim, d), nn.Linear(d, d)
        self.c1, self.c2 = nn.Linear(text_dim, d), nn.Linear(d, d)
        self.blocks = nn.ModuleList([Block(d, heads, ratio) for _ in range(depth)])
        self.ada_out = nn.Linear(d, 2 * d)
        self.proj = nn.Linear(d, patch * patch * c)

    def final_hidden(self, x, t, cond):
        """Hidden states after the final adaLN norm [B, N, D] (the SiD2a discriminator pools these)."""
        b, c, hh, ww = x.shape
        p, g = self.p, hh // self.p
        tok = x.reshape(b, c, g, p, g, p).permute(0, 2, 4, 1, 3, 5).reshape(b, g * g, c * p * p)
        h = self.patch_embed(tok) + self.pos
        temb = self.t2(F.silu(self.t1(timestep_embedding(t, self.freq_dim))))
        cemb = self.c2(F.silu(self.c1(cond)))
        sc = F.silu(temb + cemb)
        for blk in self.blocks:
            h = blk(h, sc)
        scale, shift = self.ada_out(sc).chunk(2, dim=-1)
        return F.layer_norm(h, (h.shape[-1],), eps=1e-6) * (1 + scale[:, None]) + shift[:, None]

    def forward(self, x, t, cond):
        b, c, hh, ww = x.shape
        p, g = self.p, hh // self.p
        out = self.proj(self.final_hidden(x, t, cond)).reshape(b, g, g, p, p, c).permute(0, 5, 1, 3, 2, 4)
        return out.reshape(b, c, hh, ww)


def main():
    ap = argparse.ArgumentParser()
    for k, v in dict(batch=64, hidden=256, depth=6, heads=4, size=32, channels=4, patch=4, threads=1, steps=3,
                     mlp_ratio=4, text_dim=64, freq_dim=256).items():
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=v)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = DiT(a.channels, a.size, a.patch, a.hidden, a.depth, a.heads, a.mlp_ratio, a.text_dim, a.freq_dim)
    x0 = torch.randn(a.batch, a.channels, a.size, a.size)
    eps = torch.randn_like(x0)
    t = torch.rand(a.batch)
    cond = torch.randn(a.batch, a.text_dim)
    xt = (1 - t[:, None, None, None]) * x0 + t[:, None, None, None] * eps
    times, cpu = [], []
    for i in range(a.steps + 1):  # first step is warm-up
        t0 = time.perf_counter()
        c0 = time.process_time()
        net.zero_grad(set_to_none=True)
        loss = ((net(xt, t * 1000, cond) - (eps - x0)) ** 2).mean()
        loss.backward()
        dt = time.perf_counter() - t0
        if i > 0:
            times.append(dt)
            cpu.append(time.process_time() - c0)
    times_sorted = sorted(times)
    print(json.dumps({
        "seconds_per_step": times, "median": times_sorted[len(times) // 2], "min": times_sorted[0],
        "cpu_seconds_per_step": cpu, "cpu_min": min(cpu), "threads": a.threads,
        "torch": torch.__version__, "params": sum(p.numel() for p in net.parameters() if p.requires_grad),
        "loss": float(loss),
    }))


if __name__ == "__main__":
    main()
