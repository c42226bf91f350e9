"""Precomputed text conditioning (docs/text-encodings.md), as runtime/tfjs/families/text.ts reads it: one
safetensors file per prompt set with
  prompt_embeds          [N, L, text_dim]   sequence embeddings
  prompt_attention_mask  [N, L]             1 = token, 0 = padding (optional: all ones)
  pooled_prompt_embeds   [N, P]             SD3 / FLUX only
and metadata ``prompts`` = JSON list of the N prompts. The empty prompt "" must be one of them: its row is
the null condition of classifier-free guidance (docs/algorithm.md §1). A condition index is a row.
"""
from __future__ import annotations

import json
from typing import List, Optional, Tuple

import torch

from ...formats.safetensors import read


class TextTable:
    """The rows nets gather conditions from. Held once, on the CPU, in float32, and shared by every net
    built on it (a deep copy of a net - psi, G - shares it too): only the rows of a batch travel to the
    net's device. What a net reads of it - prompts, null_index, seq_dim, pooled_dim, rows() - is all that
    encoded_text.EncodedText (rows encoded inside the run) provides too."""

    def __init__(self, prompts: List[str], seq: torch.Tensor, mask: torch.Tensor, pooled: Optional[torch.Tensor]):
        self.prompts = list(prompts)
        self.seq = seq.float()  # [N, L, text_dim]
        self.mask = mask.float()  # [N, L]
        self.pooled = None if pooled is None else pooled.float()  # [N, P]
        self.null_index = self.prompts.index('') if '' in self.prompts else -1
        self.seq_dim = int(self.seq.shape[2])
        self.pooled_dim = 0 if self.pooled is None else int(self.pooled.shape[1])

    def __deepcopy__(self, memo) -> 'TextTable':
        return self  # read-only and possibly large: clones of a net share it

    def rows(self, c: torch.Tensor, device: torch.device, dtype: torch.dtype) -> Tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
        """(seq [B, L, text_dim], mask [B, L], pooled [B, P] or None) of condition rows c [B]."""
        idx = c.detach().long().cpu()
        move = lambda t: t[idx].to(device=device, dtype=dtype)  # noqa: E731
        return move(self.seq), self.mask[idx].to(device=device), (None if self.pooled is None else move(self.pooled))


def read_text_encodings(path: str, seq_dim: Optional[int] = None, pooled_dim: int = 0, teacher: str = 'the teacher') -> TextTable:
    """Reads and checks a text-encodings file; with ``seq_dim`` / ``pooled_dim``, also the widths the
    transformer takes. Every problem of the file is reported in one ValueError naming it."""
    tensors, metadata = read(path)
    problems: List[str] = []
    seq = tensors.get('prompt_embeds')
    if seq is None:
        problems.append('no "prompt_embeds" tensor [N, L, text_dim]')
    elif seq.dim() != 3:
        problems.append(f'"prompt_embeds" has shape {list(seq.shape)}, expected [N, L, text_dim]')
    prompts: List[str] = []
    try:
        p = json.loads(metadata.get('prompts', 'null'))
        if not isinstance(p, list) or not all(isinstance(s, str) for s in p):
            raise ValueError
        prompts = p
    except ValueError:
        problems.append('metadata "prompts" must be a JSON list of the prompt strings, one per row')
    if problems:
        raise ValueError(f'{path}: not a text-encodings file (docs/text-encodings.md):\n  ' + '\n  '.join(problems))
    n, l, dim = seq.shape
    if len(prompts) != n:
        problems.append(f'metadata "prompts" lists {len(prompts)} prompts but prompt_embeds has {n} rows')
    if '' not in prompts:
        problems.append('the empty prompt "" is missing: it is the null condition for classifier-free guidance; encode it as one more row')
    mask = tensors.get('prompt_attention_mask')
    if mask is not None and list(mask.shape) != [n, l]:
        problems.append(f'"prompt_attention_mask" has shape {list(mask.shape)}, expected [{n}, {l}]')
    pooled = tensors.get('pooled_prompt_embeds')
    if pooled is not None and (pooled.dim() != 2 or pooled.shape[0] != n):
        problems.append(f'"pooled_prompt_embeds" has shape {list(pooled.shape)}, expected [{n}, P]')
    if seq_dim is not None and dim != seq_dim:
        problems.append(f'prompt_embeds are {dim}-wide but {teacher} takes {seq_dim}-wide sequence embeddings')
    if pooled_dim and pooled is None:
        problems.append(f'{teacher} needs "pooled_prompt_embeds" [N, {pooled_dim}]')
    if pooled_dim and pooled is not None and pooled.shape[1] != pooled_dim:
        problems.append(f'pooled_prompt_embeds are {pooled.shape[1]}-wide but {teacher} takes {pooled_dim}')
    if problems:
        raise ValueError(f'{path}:\n  ' + '\n  '.join(problems))
    m = torch.ones(n, l) if mask is None else (mask.float() != 0).float()
    return TextTable(prompts, seq, m, pooled)
