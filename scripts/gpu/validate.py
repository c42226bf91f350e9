"""GPU validation of the torch engine at the paper's sizes (docs/distributed.md, "GPU validation").

For SD3-Medium (its real transformer config, bf16 policy, 1024 px, 4 per device) and SANA 1.6B (real
config, AMP, 512 px, 16 per device): writes a diffusers folder with RANDOM weights in bf16 and a random
text table of the real widths, loads them through the engine's own loader, runs a few SiD iterations of
the engine's own stage code on one device (accumulation 1; the first iteration is a warm-up) and reports
peak memory and seconds per 1k images next to `sidc plan`'s prediction for one such device
(scripts/gpu/prepared/, written by scripts/gpu/prepare.sh) and the paper's per-GPU time (Table 3/4
seconds per 1k images on 8 GPUs x 8).

  PYTHONPATH=runtime/torch python3 scripts/gpu/validate.py --device cuda            # the real sizes
  PYTHONPATH=runtime/torch python3 scripts/gpu/validate.py --toy --device cpu       # smoke test, tiny configs

Random weights make the losses meaningless; memory and time are what is measured. Prints a table and
writes --out/validate.json."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'runtime', 'torch'))

from sidc_torch.formats import safetensors as stf  # noqa: E402
from sidc_torch.nets.families import family_class  # noqa: E402
from sidc_torch.nets.families.config import read_family_config  # noqa: E402
from sidc_torch.nets.families.text import TextTable  # noqa: E402
from sidc_torch.stage import prepare_stage, run_iteration  # noqa: E402

# the public diffusers transformer configs of the two teachers
SD3_MEDIUM = {'_class_name': 'SD3Transformer2DModel', 'sample_size': 128, 'patch_size': 2, 'in_channels': 16, 'out_channels': 16,
              'num_layers': 24, 'attention_head_dim': 64, 'num_attention_heads': 24, 'joint_attention_dim': 4096,
              'caption_projection_dim': 1536, 'pooled_projection_dim': 2048, 'pos_embed_max_size': 192, 'dual_attention_layers': [], 'qk_norm': None}
SANA_1600M = {'_class_name': 'SanaTransformer2DModel', 'in_channels': 32, 'out_channels': 32, 'num_attention_heads': 70, 'attention_head_dim': 32,
              'num_layers': 20, 'num_cross_attention_heads': 20, 'cross_attention_head_dim': 112, 'cross_attention_dim': 2240,
              'caption_channels': 2304, 'mlp_ratio': 2.5, 'attention_bias': False, 'sample_size': 16, 'patch_size': 1,
              'norm_elementwise_affine': False, 'norm_eps': 1e-6, 'interpolation_scale': None, 'guidance_embeds': False, 'qk_norm': None}
# toy stand-ins of the same classes (the smoke test on CPU)
SD3_TOY = {**SD3_MEDIUM, 'in_channels': 16, 'out_channels': 16, 'num_layers': 2, 'attention_head_dim': 16, 'num_attention_heads': 2,
           'joint_attention_dim': 64, 'caption_projection_dim': 32, 'pooled_projection_dim': 32, 'pos_embed_max_size': 16}
SANA_TOY = {**SANA_1600M, 'num_attention_heads': 2, 'attention_head_dim': 16, 'num_layers': 2, 'num_cross_attention_heads': 2,
            'cross_attention_head_dim': 16, 'cross_attention_dim': 32, 'caption_channels': 64}

CASES = [
    # name, family, config, toy config, pooled width, paper s per 1k images on 8 GPUs (table)
    ('sd3_medium_bf16', 'sd3', SD3_MEDIUM, SD3_TOY, 'pooled_projection_dim', 120, 'Table 4, SD3-Medium SiD-DiT BF16'),
    ('sana_1600m_512', 'sana', SANA_1600M, SANA_TOY, None, 19, 'Table 3, SANA 1.6B 512 px'),
]


def write_teacher(folder, family, config, seq_len, device):
    """config.json + random bf16 weights (the module's own init) + a random text table of the real widths."""
    tdir = os.path.join(folder, 'transformer')
    os.makedirs(tdir, exist_ok=True)
    with open(os.path.join(tdir, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
    parsed = read_family_config(tdir)
    seq_dim = config['caption_channels'] if family == 'sana' else config['joint_attention_dim']
    pooled_dim = 0 if family == 'sana' else config['pooled_projection_dim']
    g = torch.Generator().manual_seed(0)
    prompts = [''] + [f'prompt {i}' for i in range(7)]
    seq = 0.5 * torch.randn(len(prompts), seq_len, seq_dim, generator=g)
    mask = torch.ones(len(prompts), seq_len)
    pooled = 0.5 * torch.randn(len(prompts), pooled_dim, generator=g) if pooled_dim else None
    table = {'prompt_embeds': seq, 'prompt_attention_mask': mask, **({'pooled_prompt_embeds': pooled} if pooled is not None else {})}
    stf.write(os.path.join(folder, 'text.safetensors'), table, {'prompts': json.dumps(prompts), 'format': 'sidc-text-encodings/1'})
    torch.manual_seed(0)
    text = TextTable(prompts, seq, mask, pooled)
    side = config['sample_size'] if family == 'sana' else 8
    net = family_class(family)(parsed, text, (side, side)).to(device=device, dtype=torch.bfloat16)
    weights = {k: v.detach().to('cpu') for k, v in net.state_dict().items()}
    del net
    stf.write_sharded(tdir, 'diffusion_pytorch_model', weights, int(5e9))
    return sum(v.numel() for v in weights.values())


def run_case(name, family, config, graph_file, plan_file, paper_s, paper_row, args):
    graph = json.load(open(graph_file))
    plan = json.load(open(plan_file))
    folder = os.path.join(args.out, name)
    shutil.rmtree(folder, ignore_errors=True)
    seq_len = int(graph['bindings']['L'])
    t0 = time.perf_counter()
    params = write_teacher(folder, family, config, seq_len, args.device)
    write_s = time.perf_counter() - t0
    graph['config']['teacher']['checkpoint'] = os.path.abspath(folder)
    graph['config']['data']['text'] = {'mode': 'precomputed', 'path': os.path.abspath(os.path.join(folder, 'text.safetensors'))}
    if args.toy:  # a small latent: 64 px (SD3: /8 -> 8 x 8; SANA: /32 -> 2 x 2); the recipe's per-device batch
        graph['config']['data']['resolution'] = 64
    stage = next(s for s in graph['stages'] if s['kind'] == 'sid')
    cuda = args.device.startswith('cuda')
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    t1 = time.perf_counter()
    st = prepare_stage(graph, stage, {}, args.device)
    load_s = time.perf_counter() - t1
    times = []
    for i in range(args.iterations + 1):
        t = time.perf_counter()
        r = run_iteration(st)
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    images = st.batch * max(1, max(p['accumulate'] for p in stage['phases']))
    s_iter = sum(times[1:]) / len(times[1:])
    peak = torch.cuda.max_memory_allocated() / 2 ** 30 if cuda else None
    return {'case': name, 'params': params, 'device': args.device, 'toy': args.toy, 'per_device': st.batch, 'resolution': graph['config']['data']['resolution'],
            'precision': st.precision.name, 'write_teacher_s': round(write_s, 1), 'load_s': round(load_s, 1), 'iteration_s': [round(x, 3) for x in times],
            's_per_1k_images': 1000 * s_iter / images, 'peak_gb': peak, 'losses_last': r['losses'],
            'plan_s_per_1k': plan['seconds_per_1k_images'], 'plan_peak_gb': plan['peak_gb_per_device'],
            'paper_s_per_1k_per_gpu': paper_s * 8, 'paper_row': paper_row}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--toy', action='store_true', help='tiny configs of the same classes at 64 px (a CPU smoke test)')
    ap.add_argument('--iterations', type=int, default=3, help='timed iterations after one warm-up')
    ap.add_argument('--cases', default=','.join(c[0] for c in CASES))
    ap.add_argument('--out', default='/tmp/sidc-gpu-validate')
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for name, family, config, toy, _, paper_s, paper_row in CASES:
        if name not in args.cases.split(','):
            continue
        prepared = os.path.join(HERE, 'prepared', name)
        rows.append(run_case(name, family, toy if args.toy else config, prepared + '.graph.json', prepared + '.plan.json', paper_s, paper_row, args))
        r = rows[-1]
        peak = f"{r['peak_gb']:.1f}" if r['peak_gb'] is not None else '-'
        print(f"{name}: {r['params'] / 1e9:.3f}B params, {r['precision']}, {r['per_device']} per device at {r['resolution']} px on {r['device']}: "
              f"peak {peak} GB (plan {r['plan_peak_gb']:.1f}), {r['s_per_1k_images']:.0f} s per 1k images (plan {r['plan_s_per_1k']:.0f}, "
              f"paper {r['paper_s_per_1k_per_gpu']} per GPU = {r['paper_row']} x 8); iterations {r['iteration_s']} s", flush=True)
    with open(os.path.join(args.out, 'validate.json'), 'w') as f:
        json.dump(rows, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
