"""`hardware.gradient_checkpointing` (docs/plan.md §4): a net whose ``gradient_checkpointing`` attribute is set
runs each transformer block under torch.utils.checkpoint, so a differentiated pass keeps only the block inputs
and recomputes one block at a time in the backward pass. Non-reentrant (use_reentrant=False): the SiD iteration
takes gradients with torch.autograd.grad, which the reentrant variant does not support. Recomputation runs the
same kernels on the same inputs (under the forward's autocast state), so gradients do not change.
Without grad (sampling, no_grad passes) a block runs plainly: there is nothing to save."""
from __future__ import annotations

import torch
from torch.utils.checkpoint import checkpoint

ATTR = 'gradient_checkpointing'


def run_block(owner: torch.nn.Module, block: torch.nn.Module, *args):
    """block(*args), checkpointed when ``owner`` asks for it and autograd is recording."""
    if getattr(owner, ATTR, False) and torch.is_grad_enabled():
        return checkpoint(block, *args, use_reentrant=False)
    return block(*args)


def set_checkpointing(net: torch.nn.Module, on: bool) -> None:
    """Turns checkpointing on or off for a net with transformer blocks (the others have no such attribute)."""
    if hasattr(net, ATTR):
        setattr(net, ATTR, bool(on))
