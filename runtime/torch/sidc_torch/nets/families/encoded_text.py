"""Text conditioning encoded by the run itself (``data.text = encoder``; docs/text-encodings.md "Encoders inside
the run"): the rows are the prompts of ``data.prompts`` with the empty prompt first - exactly the rows `sidc
encode-prompts` writes for that file - computed by the teacher's own text encoders (encoders/pipelines.py):
all at start-up into a TextTable (``hardware.text_encoders = streamed``), or each batch of rows when a net asks
for it (EncodedText: ``resident``, ``cpu``). The numbers are the table's: the same pipeline code.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from typing import List, Optional, Tuple

import torch

from ...encoders.pipelines import FAMILIES, Encoders

Rows = Tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]


class EncodedText:
    """What a family net reads of a TextTable (prompts, null_index, seq_dim, pooled_dim, rows()), with the
    rows computed by ``encoders`` (kept loaded: keep=True). One SiD iteration asks every net (phi, psi, G
    at each generator step) for the same rows, so the last few batches' encodings are kept (CACHE)."""

    CACHE = 8

    def __init__(self, prompts: List[str], family: str, encoders: Encoders):
        if not prompts or prompts[0] != '':
            raise ValueError('the in-run prompt rows start with the empty prompt (the null condition)')
        self.prompts = list(prompts)
        self.null_index = 0
        self.family = family
        self._encode = FAMILIES[family].encode
        self._encoders = encoders
        self._cache: 'OrderedDict[Tuple[int, ...], Rows]' = OrderedDict()
        self.encoded = 0  # prompts run through the encoders so far (a cache hit runs none)
        seq, _, pooled = self._rows((0,))  # the null row: the widths, and a first proof that the encoders run
        self.seq_dim = int(seq.shape[2])
        self.pooled_dim = 0 if pooled is None else int(pooled.shape[1])

    def __deepcopy__(self, memo) -> 'EncodedText':
        return self  # clones of a net (psi, G) share the encoders, as they share a TextTable

    def _rows(self, idx: Tuple[int, ...]) -> Rows:
        hit = self._cache.get(idx)
        if hit is not None:
            self._cache.move_to_end(idx)
            return hit
        device_type = torch.device(self._encoders.opts['device']).type
        # the encoders compute in their own dtype whatever precision the training pass autocasts to
        with torch.no_grad(), torch.autocast(device_type=device_type, enabled=False):
            table = self._encode(self._encoders, [self.prompts[i] for i in idx])
        rows = (table.seq.float(), (table.mask != 0).float(), None if table.pooled is None else table.pooled.float())
        self._cache[idx] = rows
        if len(self._cache) > self.CACHE:
            self._cache.popitem(last=False)
        self.encoded += len(idx)
        return rows

    def rows(self, c: torch.Tensor, device: torch.device, dtype: torch.dtype) -> Rows:
        """(seq [B, L, text_dim], mask [B, L], pooled [B, P] or None) of condition rows c [B], as TextTable.rows."""
        idx = tuple(int(i) for i in c.detach().long().cpu().tolist())
        bad = [i for i in idx if not 0 <= i < len(self.prompts)]
        if bad:
            raise IndexError(f'condition rows {bad[:3]} are outside the {len(self.prompts)} prompts')
        seq, mask, pooled = self._rows(idx)
        return seq.to(device=device, dtype=dtype), mask.to(device=device), (None if pooled is None else pooled.to(device=device, dtype=dtype))


PLACEMENTS = ('streamed', 'resident', 'cpu')


def in_run_text(checkpoint: str, family: str, prompts_file: str, placement: str, device: str, dtype: torch.dtype, log,
                max_len: Optional[int] = None) -> 'TextTable | EncodedText':
    """The text conditioning of ``data.text = encoder`` by ``hardware.text_encoders``:
      streamed - every prompt encoded once, before the loop, one encoder at a time on ``device``; the encoders
                 are then released and the rows live in a TextTable, as if `sidc encode-prompts` had written it;
      resident - the encoders stay loaded on ``device`` and each batch's rows are encoded when a net asks;
      cpu      - the same with the encoders on the host in float32 (no device memory; slow).
    ``max_len``: T5 / Gemma tokens per prompt (``encoder(N)``), else the pipeline's default (SD3 256, FLUX 512, SANA 300).
    Raises EncoderError (one line, naming the file and the fix) for a checkpoint or prompt file it cannot use."""
    from ...encoders.encode_prompts import read_prompts, require_encoder_folders
    from .text import TextTable

    if placement not in PLACEMENTS:
        raise ValueError(f"hardware.text_encoders = {placement}: use one of {', '.join(PLACEMENTS)}")
    # teacher.checkpoint may name the transformer/ folder itself; the encoders are beside it, in the model root
    direct = not os.path.isdir(os.path.join(checkpoint, 'transformer')) and os.path.isfile(os.path.join(checkpoint, 'config.json'))
    checkpoint = os.path.dirname(os.path.abspath(checkpoint)) if direct else checkpoint
    require_encoder_folders(checkpoint, family)
    prompts = read_prompts(prompts_file)
    on_host = placement == 'cpu'
    opts = {'device': 'cpu' if on_host else device, 'dtype': torch.float32 if on_host else dtype, 'batch_size': 8,
            'max_len': max_len or FAMILIES[family].default_max_len, 'without_t5': False, 'no_instruction': False}
    if placement == 'streamed':
        log(f'text encoders: encoding {len(prompts)} prompts of {prompts_file} (the empty prompt first) on {opts["device"]} before the loop')
        table = FAMILIES[family].encode(Encoders(checkpoint, opts, log), prompts)
        return TextTable(prompts, table.seq, (table.mask != 0).float(), table.pooled)
    log(f'text encoders: kept on {opts["device"]} ({placement}); each batch of the {len(prompts)} prompts of {prompts_file} is encoded in the loop')
    return EncodedText(prompts, family, Encoders(checkpoint, opts, log, keep=True, progress=lambda _s: None))
