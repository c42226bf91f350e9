"""FID and prompt alignment of generated digits, as runtime/tfjs/evaluation/image.ts scores them: the eval
classifier shipped with sidc (examples/eval/mnist-classifier.safetensors, runtime/scoring/classifier.ts: an
MLP 784 -> 512 -> 128 -> 10, ReLU, torch Linear layout) gives 128-d penultimate features, whose FID
(fid.py) is taken against the 1,000 held-out MNIST digits, and predicted classes, whose share equal to the
prompted class is the alignment (runtime/scoring/align.ts). One classifier pass in batches of 500 gives both."""
from __future__ import annotations

import os

import numpy as np
import torch
import torch.nn.functional as F

from .fid import fid
from .formats.safetensors import read
from .image_data import load_mnist_heldout

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
CLASSIFIER = os.path.join(REPO_ROOT, 'examples', 'eval', 'mnist-classifier.safetensors')


class ImageScorer:
    """The classifier and the held-out digits' features, loaded once per process and device."""

    def __init__(self, device: str):
        if not os.path.exists(CLASSIFIER):
            raise FileNotFoundError(f'monitor: the eval classifier {CLASSIFIER} is not found beside sidc')
        tensors, _ = read(CLASSIFIER)
        self.p = {k: tensors[k].float().to(device) for k in ('fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'head.weight', 'head.bias')}
        self.device = device
        self.real_features = self.features_and_classes(load_mnist_heldout(REPO_ROOT).images)[0]

    @torch.no_grad()
    def features_and_classes(self, images: np.ndarray, batch: int = 500):
        """Features [n, 128] (float32, returned as float64) and argmax classes [n] of images [n, 784] in [-1, 1]."""
        p, feats, preds = self.p, [], []
        for i in range(0, len(images), batch):
            x = torch.from_numpy(np.ascontiguousarray(images[i:i + batch], dtype=np.float32)).to(self.device)
            f = F.relu(F.linear(F.relu(F.linear(x, p['fc1.weight'], p['fc1.bias'])), p['fc2.weight'], p['fc2.bias']))
            feats.append(f.cpu().double().numpy())
            preds.append(F.linear(f, p['head.weight'], p['head.bias']).argmax(1).cpu().numpy())
        return np.concatenate(feats), np.concatenate(preds)

    def score(self, images: np.ndarray, labels: np.ndarray) -> dict:
        feats, pred = self.features_and_classes(images.reshape(len(labels), -1))
        return {'fid': fid(feats, self.real_features), 'alignment': float((pred == labels).sum()) / max(1, len(labels))}


_scorers = {}


def image_scorer(device: str) -> ImageScorer:
    if device not in _scorers:
        _scorers[device] = ImageScorer(device)
    return _scorers[device]
