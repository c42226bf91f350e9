#!/usr/bin/env python3
"""An independent PyTorch implementation of SiD-DiT (docs/algorithm.md sections 3-5) for sidc's DiT teachers,
written from docs/algorithm.md, not from the TypeScript runtime, to cross-check it and to run the same
distillation at batch sizes and lengths a 2-core machine cannot reach (on a GPU when there is one).

It loads a DiT teacher in sidc's file layout (examples/teachers/dit-mnist.safetensors: diffusers names,
the bag-of-words caption encoder), distils it with long-and-short guidance into a k-step generator and
writes each checkpoint as a sidc net file (format sidc.net, the metadata of examples/students/...), so
`sidc eval` measures it exactly as it measures the runtime's students:

  python3 scripts/reference/sid_dit_torch.py --out /tmp/ref --batch 8 --lr 1e-5 --images 1024
  node bin/sidc.js eval runs/mnist_sid-<hash8> --student-only --student /tmp/ref/student-1024.safetensors

--check DIR compares this DiT's velocity with sidc's on the inputs DIR/check-*.npy (written by
scripts/reference/dit-velocity.mjs) and exits non-zero when they differ.
"""
import argparse, copy, json, math, os, struct, sys, time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from torch_dit_step import DiT  # noqa: E402  (the same DiT the speed benchmark times)

DTYPES = {'F32': (np.float32, 4), 'F16': (np.float16, 2)}
NP_DTYPE = {'F32': np.float32, 'F16': np.float16}


# ---- safetensors (the subset sidc writes: F32 / F16, little-endian, row-major) ----
def read_safetensors(path):
    with open(path, 'rb') as f:
        blob = f.read()
    n = struct.unpack('<Q', blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    meta = header.pop('__metadata__', {})
    out = {}
    for name, h in header.items():
        if h['dtype'] == 'BF16':
            raw = np.frombuffer(blob, np.uint16, count=math.prod(h['shape']) or 1, offset=8 + n + h['data_offsets'][0])
            arr = (raw.astype(np.uint32) << 16).view(np.float32)
        else:
            dt, size = DTYPES[h['dtype']]
            a, b = h['data_offsets']
            arr = np.frombuffer(blob[8 + n + a:8 + n + b], dt)
        out[name] = arr.astype(np.float32).reshape(h['shape'])
    return out, meta


def write_safetensors(path, tensors, meta, dtype='F32'):
    header, chunks, off = {'__metadata__': meta}, [], 0
    for name, arr in tensors.items():
        b = np.ascontiguousarray(arr, NP_DTYPE[dtype]).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(arr.shape), 'data_offsets': [off, off + len(b)]}
        chunks.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(chunks))
    os.replace(tmp, path)  # atomic: a killed run never leaves half a checkpoint


# ---- sidc's DiT file layout <-> torch_dit_step.DiT ----
LINEARS = {
    'pos_embed.proj': 'patch_embed',
    'time_text_embed.timestep_embedder.linear_1': 't1', 'time_text_embed.timestep_embedder.linear_2': 't2',
    'time_text_embed.text_embedder.linear_1': 'c1', 'time_text_embed.text_embedder.linear_2': 'c2',
    'norm_out.linear': 'ada_out', 'proj_out': 'proj',
}
BLOCK_LINEARS = {'norm1.linear': 'ada', 'attn.to_out.0': 'out', 'ff.net.0.proj': 'ff1', 'ff.net.2': 'ff2'}


def sincos_pos_embed(dim, gh, gw):
    """runtime/tfjs/nn/embed.ts sincosPosEmbed2d: first half encodes the column, second half the row."""
    out = np.zeros((gh * gw, dim), np.float32)
    q = dim // 4
    omega = 1 / np.power(10000, np.arange(q) / q)
    for y in range(gh):
        for x in range(gw):
            for half, pos in ((0, x), (1, y)):
                out[y * gw + x, half * 2 * q:half * 2 * q + q] = np.sin(pos * omega)
                out[y * gw + x, half * 2 * q + q:half * 2 * q + 2 * q] = np.cos(pos * omega)
    return out


def build_dit(cfg, weights):
    net = DiT(cfg['channels'], cfg['height'], cfg['patch'], cfg['hidden'], cfg['depth'], cfg['heads'],
              cfg['mlpRatio'], cfg['textDim'], cfg['freqDim'])
    sd = {}
    for src, dst in LINEARS.items():
        sd[f'{dst}.weight'], sd[f'{dst}.bias'] = weights[f'{src}.weight'], weights[f'{src}.bias']
    for i in range(cfg['depth']):
        b = f'transformer_blocks.{i}'
        for src, dst in BLOCK_LINEARS.items():
            sd[f'blocks.{i}.{dst}.weight'], sd[f'blocks.{i}.{dst}.bias'] = weights[f'{b}.{src}.weight'], weights[f'{b}.{src}.bias']
        sd[f'blocks.{i}.qkv.weight'] = np.concatenate([weights[f'{b}.attn.to_{n}.weight'] for n in 'qkv'])
        sd[f'blocks.{i}.qkv.bias'] = np.concatenate([weights[f'{b}.attn.to_{n}.bias'] for n in 'qkv'])
    g = cfg['height'] // cfg['patch']
    sd['pos'] = sincos_pos_embed(cfg['hidden'], g, g)[None]
    net.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()})
    return net


def export_dit(net, cfg, token_embedding):
    sd = {k: v.detach().float().cpu().numpy() for k, v in net.state_dict().items()}
    out = {}
    for src, dst in LINEARS.items():
        out[f'{src}.weight'], out[f'{src}.bias'] = sd[f'{dst}.weight'], sd[f'{dst}.bias']
    out['text_encoder.token_embedding.weight'] = token_embedding
    for i in range(cfg['depth']):
        b = f'transformer_blocks.{i}'
        for src, dst in BLOCK_LINEARS.items():
            out[f'{b}.{src}.weight'], out[f'{b}.{src}.bias'] = sd[f'blocks.{i}.{dst}.weight'], sd[f'blocks.{i}.{dst}.bias']
        for j, n in enumerate('qkv'):
            d = cfg['hidden']
            out[f'{b}.attn.to_{n}.weight'] = sd[f'blocks.{i}.qkv.weight'][j * d:(j + 1) * d]
            out[f'{b}.attn.to_{n}.bias'] = sd[f'blocks.{i}.qkv.bias'][j * d:(j + 1) * d]
    return out


def caption_table(cfg, token_embedding, captions):
    """runtime/tfjs/nets/dit-text.ts: mean of the caption's word embeddings; the empty caption -> zeros."""
    vocab = {w: i for i, w in enumerate(cfg['vocab'])}
    rows = []
    for c in captions + ['']:
        words = [w for w in ''.join(ch if ch.isalnum() else ' ' for ch in c.lower()).split()]
        row = np.zeros(token_embedding.shape[1], np.float32)
        for w in words:
            row += token_embedding[vocab.get(w, 0)] / len(words)
        rows.append(row)
    return np.stack(rows)


# Section 4 step 4: generator-loss weightings w(t), computed without gradient (compiler/recipe/weightings.ts)
WEIGHTINGS = {
    'one_minus_t': lambda t: 1 - t,
    'one_minus_t_sq': lambda t: (1 - t) ** 2,
    'sqrt_snr': lambda t: (1 - t) / t,
    'snr': lambda t: (1 - t) ** 2 / t ** 2,
    'inv_t': lambda t: 1 / t,
    'constant': lambda t: torch.ones_like(t),
}

DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']
MNIST_CAPTIONS = [f'a handwritten digit {d}' for d in DIGITS]


# ---- SiD-DiT (docs/algorithm.md) ----
class Sid:
    def __init__(self, teacher, cfg, table, a, device):
        self.cfg, self.a, self.dev = cfg, a, device
        self.table = torch.from_numpy(table).to(device)  # [K + 1, textDim]; row K = null
        self.K = table.shape[0] - 1
        self.shape = (cfg['channels'], cfg['height'], cfg['width'])
        self.phi = teacher.to(device).requires_grad_(False)
        self.psi = build_like(teacher).to(device)
        self.G = build_like(teacher).to(device)
        betas = (0.0, 0.999)  # section 5: Adam beta1 = 0, no weight decay, constant lr
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=a.lr, betas=betas, eps=a.adam_eps)
        self.opt_f = torch.optim.Adam(self.psi.parameters(), lr=a.fake_lr or a.lr, betas=betas, eps=a.adam_eps)
        self.ts = cfg['timeScale']

    def v(self, net, x, t, c):
        return net(x, t * self.ts, self.table[c])

    def guided(self, net, x, t, c, w):
        """Section 1: v_u + w (v_c - v_u) on a doubled batch (unconditional half, conditional half)."""
        if w == 1:
            return self.v(net, x, t, c)
        b = x.shape[0]
        out = self.v(net, torch.cat([x, x]), torch.cat([t, t]), torch.cat([torch.full_like(c, self.K), c]))
        vu, vc = out[:b], out[b:]
        return vu + w * (vc - vu)

    def sample_t(self, b):
        """Section 4: t = sigmoid(N(ln 2, 1.6^2)), no clipping."""
        return torch.sigmoid(math.log(2) + 1.6 * torch.randn(b, device=self.dev))

    def generate(self, z, c, k, grad):
        """Section 3 / eq. 16: t_i = 1 - i/4, fresh noise after the first step, only the last call keeps its graph."""
        D = torch.zeros_like(z)
        for i in range(k):
            ti = 1 - i / 4
            n = z if i == 0 else torch.randn_like(z)
            x = (1 - ti) * D + ti * n
            t = torch.full((z.shape[0],), ti, device=self.dev)
            with torch.set_grad_enabled(grad and i == k - 1):
                D = x - ti * self.v(self.G, x, t, c)
        return D

    def step(self):
        a, b = self.a, self.a.batch
        k = int(torch.randint(1, a.gen_steps + 1, ()).item())  # one k per iteration, shared by both phases
        bc = lambda t: t.view(-1, 1, 1, 1)  # noqa: E731
        # fake-network phase (section 4, steps 1-4)
        c = torch.randint(0, self.K, (b,), device=self.dev)
        with torch.no_grad():
            xg = self.generate(torch.randn(b, *self.shape, device=self.dev), c, k, False)
        eps, t = torch.randn_like(xg), self.sample_t(b)
        xt = (1 - bc(t)) * xg + bc(t) * eps
        out = self.guided(self.psi, xt, t, c, a.cfg_fake)
        loss_f = ((out - (eps - xg)) ** 2).sum() / b
        self.opt_f.zero_grad(set_to_none=True)
        loss_f.backward()
        self.opt_f.step()
        # generator phase (steps 1-5); phi and psi frozen, gradients flow through them into x_t
        for p in self.psi.parameters():
            p.requires_grad_(False)
        c = torch.randint(0, self.K, (b,), device=self.dev)
        xg = self.generate(torch.randn(b, *self.shape, device=self.dev), c, k, True)
        eps, t = torch.randn_like(xg), self.sample_t(b)
        xt = (1 - bc(t)) * xg + bc(t) * eps
        y_real = xt - bc(t) * self.guided(self.phi, xt, t, c, a.cfg_teacher)
        y_fake = xt - bc(t) * self.guided(self.psi, xt, t, c, a.cfg_fake)
        w = bc(WEIGHTINGS[a.weighting](t))
        per = (w * (y_real - y_fake) * ((y_real - xg) - a.alpha * (y_real - y_fake))).flatten(1).sum(1)
        ok = torch.isfinite(per)  # section 4: NaN samples are dropped from the sum
        loss_g = a.lambda_sid * per[ok].sum() / b
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        for p in self.G.parameters():
            if p.grad is not None:
                torch.nan_to_num_(p.grad, nan=0.0, posinf=1e5, neginf=-1e5)
        self.opt_g.step()
        for p in self.psi.parameters():
            p.requires_grad_(True)
        return loss_f.item(), loss_g.item(), int((~ok).sum())


def build_like(net):
    m = copy.deepcopy(net)
    m.requires_grad_(True)
    return m


@torch.no_grad()
def lit_fraction(sid, n=500):
    """Fraction of pixels above 0 in 4-step samples (MNIST real digits: about 0.13)."""
    c = torch.arange(n, device=sid.dev) % sid.K
    x = sid.generate(torch.randn(n, *sid.shape, device=sid.dev), c, sid.a.gen_steps, False)
    return float((x > 0).float().mean())


def check(dirname, cfg, teacher, table):
    x = torch.from_numpy(np.load(os.path.join(dirname, 'check-x.npy')))
    t = torch.from_numpy(np.load(os.path.join(dirname, 'check-t.npy')))
    c = torch.from_numpy(np.load(os.path.join(dirname, 'check-c.npy')).astype(np.int64))
    ref = np.load(os.path.join(dirname, 'check-v.npy'))
    with torch.no_grad():
        v = teacher(x, t * cfg['timeScale'], torch.from_numpy(table)[c]).numpy()
    err = float(np.abs(v - ref).max() / (np.abs(ref).max() + 1e-12))
    print(json.dumps({'check': 'velocity vs sidc', 'max_rel_error': err, 'n': int(x.shape[0])}))
    return err < 1e-4


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--teacher', default='examples/teachers/dit-mnist.safetensors')
    ap.add_argument('--meta-from', default='examples/students/mnist-sid.safetensors',
                    help='sidc net file whose metadata the written students copy')
    ap.add_argument('--out', required=False)
    ap.add_argument('--check', help='folder with check-{x,t,c,v}.npy from scripts/reference/dit-velocity.mjs')
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--lr', type=float, default=1e-5)
    ap.add_argument('--fake-lr', type=float, default=None)
    ap.add_argument('--adam-eps', type=float, default=1e-8)
    ap.add_argument('--cfg-teacher', type=float, default=4.5)
    ap.add_argument('--cfg-fake', type=float, default=4.5)
    ap.add_argument('--alpha', type=float, default=1.0)
    ap.add_argument('--weighting', choices=sorted(WEIGHTINGS), default='one_minus_t')
    ap.add_argument('--lambda-sid', type=float, default=100.0)
    ap.add_argument('--gen-steps', type=int, default=4)
    ap.add_argument('--images', type=int, default=1024, help='images to distil on (generator phase)')
    ap.add_argument('--save-at', default='', help='comma-separated image counts to save at (the end is always saved)')
    ap.add_argument('--max-seconds', type=float, default=1e9, help='stop (and save) after this wall time')
    ap.add_argument('--dtype', choices=['F32', 'F16'], default='F32', help='dtype of the written students')
    ap.add_argument('--log-every', type=int, default=0, help='also log the losses every N iterations')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    weights, meta = read_safetensors(a.teacher)
    cfg = json.loads(meta['config'])
    if isinstance(cfg['vocab'], str):
        cfg['vocab'] = json.loads(cfg['vocab'])
    te = weights['text_encoder.token_embedding.weight']
    table = caption_table(cfg, te, MNIST_CAPTIONS)
    teacher = build_dit(cfg, weights)
    if a.check:
        sys.exit(0 if check(a.check, cfg, teacher, table) else 1)
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32 as the runtime's `precision fp32`
    _, student_meta = read_safetensors(a.meta_from)
    os.makedirs(a.out, exist_ok=True)
    sid = Sid(teacher, cfg, table, a, a.device)
    saves = sorted({int(s) for s in a.save_at.split(',') if s} | {a.images})
    log = open(os.path.join(a.out, 'log.jsonl'), 'a')
    seen, t0, it = 0, time.time(), 0
    while seen < a.images:
        lf, lg, dropped = sid.step()
        it += 1
        seen += a.batch
        last = seen >= a.images or time.time() - t0 > a.max_seconds
        if any(seen - a.batch < s <= seen for s in saves) or last:
            rec = {'images': seen, 'iter': it, 'seconds': round(time.time() - t0, 1), 'fake_loss': lf,
                   'gen_loss': lg, 'dropped': dropped, 'lit_fraction_4step': lit_fraction(sid)}
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + '\n')
            log.flush()
            write_safetensors(os.path.join(a.out, f'student-{seen}.safetensors'), export_dit(sid.G, cfg, te),
                              {**student_meta, 'note': f'scripts/reference/sid_dit_torch.py {" ".join(sys.argv[1:])}'}, a.dtype)
        elif a.log_every and it % a.log_every == 0:
            log.write(json.dumps({'images': seen, 'iter': it, 'seconds': round(time.time() - t0, 1), 'fake_loss': lf,
                                  'gen_loss': lg, 'dropped': dropped}) + '\n')
        if last:
            break


if __name__ == '__main__':
    main()
