"""Sample files of image students during a run, as the tfjs engine draws them (runtime/tfjs/loop/image-samples.ts,
latent-samples.ts): G's generator.steps-step output with the same noise at every sample point, from a
separate PRNG stream (seed 12345) so sampling never changes the training run.

  families (sana, sd3, flux): samples/<label>.npy [16, C, h, w] - the first four prompt rows of the text table,
      four samples each, in the teacher's normalised latent space (what the tfjs engine writes; its PNG decode
      through the model folder's vae/ is not ported);
  dit: samples/<label>.npy [K * 8, C, H, W] in [-1, 1] - eight samples of each caption (the tfjs engine draws
      the same samples into a PNG grid).
"""
from __future__ import annotations

import os

import numpy as np
import torch

from .graph import config_value
from .ops import num
from .rng import Rng
from .sampling import generate_k

SAMPLE_SEED = 12345
LATENT_GRID = (4, 4)  # prompt rows x samples per prompt (families)
DIT_COLS = 8  # samples per caption (DiT)


def student_samples(G, c: np.ndarray, k: int, steps: int, seed: int, time_scale: float, precision) -> np.ndarray:
    """k-step samples of G for conditions c, noise from Rng(seed): [n, dim] float32."""
    rng = Rng(seed)
    dev = next(G.parameters()).device
    z = torch.from_numpy(rng.normals(len(c) * G.dim).reshape(len(c), G.dim)).float().to(dev)
    with torch.no_grad():
        x = generate_k(G, z, torch.from_numpy(c.astype(np.int64)).to(dev), k, steps, 'fresh', rng, time_scale, precision, False)
    return x.float().cpu().numpy()


def sample_conditions(st, G) -> np.ndarray:
    """The condition of every sample: prompt rows (families) or caption indices (DiT), row-major."""
    if getattr(G, 'kind', None) == 'dit':
        return np.repeat(np.arange(G.null_condition), DIT_COLS)
    rows = (st.prompts or {}).get('rows', [])[:LATENT_GRID[0]]
    return np.repeat(np.asarray(rows, dtype=np.int64), LATENT_GRID[1])


def write_image_samples(samples_dir: str, st, G, label: str) -> str:
    """Writes samples/<label>.npy (atomically) and returns its path."""
    steps = int(num(config_value(st.graph, 'generator.steps'), 4))
    c = sample_conditions(st, G)
    x = student_samples(G, c, steps, steps, SAMPLE_SEED, num(config_value(st.graph, 'teacher.time_scale'), 1), st.precision)
    if G.kind == 'dit':
        k = G.dit_config
        shape = (len(c), k.channels, k.height, k.width)
    else:
        shape = (len(c), G.latent_channels(), *G.latent)
    path = os.path.join(samples_dir, f'{label}.npy')
    tmp = f'{path}.tmp-{os.getpid()}.npy'
    np.save(tmp, x.reshape(shape).astype(np.float32))
    os.replace(tmp, path)
    return path
