"""Precision policies (docs/algorithm.md §5) on real torch dtypes:
  fp32 - everything float32;
  amp  - fp32 master weights and fp32 Adam state; net passes under torch.autocast(bfloat16);
  bf16 - trainable weights and Adam moments stored in bfloat16, compute in bf16; net outputs (and so
         losses, targets, x_g and loss weights) are upcast to float32.
fp16 needs a GPU: asking for it on a cpu device is an error, not a silent fp32 run."""
from __future__ import annotations

import contextlib

import torch


class PrecisionError(Exception):
    pass


class Precision:
    def __init__(self, policy: str, device: str):
        if policy not in ('fp32', 'amp', 'bf16', 'fp16'):
            raise PrecisionError(f"unknown precision policy '{policy}' (fp32, amp, bf16)")
        if policy == 'fp16' and not device.startswith('cuda'):
            raise PrecisionError('precision fp16 needs a CUDA device; on cpu use amp or bf16 (bfloat16)')
        self.name, self.device = policy, device
        self.bf16_storage = policy == 'bf16'
        self.weight_dtype = torch.bfloat16 if policy == 'bf16' else torch.float32

    def autocast(self):
        """The context a net's forward pass runs in."""
        if self.name in ('amp', 'fp16'):
            dev = 'cuda' if self.device.startswith('cuda') else 'cpu'
            return torch.autocast(device_type=dev, dtype=torch.float16 if self.name == 'fp16' else torch.bfloat16)
        return contextlib.nullcontext()
