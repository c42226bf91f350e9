"""`python -m sidc_torch encode-prompts CHECKPOINT PROMPTS -o DIR`: every line of PROMPTS (blank lines skipped,
the empty prompt added as row 0 when absent: the CFG null condition) through the checkpoint's own text
encoders, written atomically as DIR/text.safetensors (docs/text-encodings.md, format sidc-text-encodings/1)."""
from __future__ import annotations

import json
import os
import sys
from typing import List, Optional

import torch

from ..formats.safetensors import write
from . import EncoderError
from .pipelines import FAMILIES, Encoders, detect_family, teacher_widths
from .weights import read_config

DTYPES = {'fp32': torch.float32, 'bf16': torch.bfloat16, 'fp16': torch.float16}


def read_prompts(path: str) -> List[str]:
    if not os.path.isfile(path):
        raise EncoderError(f'{path}: no such prompts file; give a text file with one prompt per line')
    try:
        with open(path, encoding='utf8') as f:
            lines = [ln.rstrip('\r\n') for ln in f]
    except UnicodeDecodeError:
        raise EncoderError(f'{path}: not UTF-8 text; give a text file with one prompt per line') from None
    prompts = [ln for ln in lines if ln.strip()]
    if not prompts:
        raise EncoderError(f'{path}: holds no prompt (only blank lines); write one prompt per line')
    return [''] + prompts


def _writable(out: str) -> None:
    try:
        os.makedirs(out, exist_ok=True)
        probe = os.path.join(out, f'.sidc-write-test-{os.getpid()}')
        with open(probe, 'w'):
            pass
        os.remove(probe)
    except OSError as e:
        raise EncoderError(f'-o {out}: cannot write there ({e.strerror}); choose a folder you can write to') from None


def _sana_inputs(root: str) -> None:
    """Before anything is written or run: the Gemma tokenizer's file, and Gemma's width against the teacher's caption_channels."""
    tok = os.path.join(root, 'tokenizer', 'tokenizer.model')
    if not os.path.isfile(tok):
        raise EncoderError(f'{tok}: missing; the Gemma tokenizer folder holds tokenizer.model (as the diffusers checkpoint ships it)')
    caption = (teacher_widths(root) or {}).get('caption_channels')
    if caption is None:
        return
    hidden = read_config(os.path.join(root, 'text_encoder')).get('hidden_size')
    if hidden != caption:
        raise EncoderError(f'{root}: the encoders give {hidden}-wide outputs but transformer/config.json has caption_channels {caption}; '
                           'are they of one checkpoint?')


def require_encoder_folders(root: str, family: str, without_t5: bool = False) -> None:
    """The folders the family's pipeline reads (and SANA's tokenizer file and widths), before anything runs:
    `sidc encode-prompts` and a run with ``data.text = encoder`` both refuse a checkpoint without them. ``root``
    is a folder (both callers have checked it)."""
    fam = FAMILIES[family]
    needed = [f for f in fam.folders if not (without_t5 and f in ('text_encoder_3', 'tokenizer_3'))]
    missing = [f for f in needed if not os.path.isdir(os.path.join(root, f))]
    if missing:
        if family == 'sd3' and set(missing) <= {'text_encoder_3', 'tokenizer_3'}:
            raise EncoderError(f'{root}: missing {", ".join(f + "/" for f in missing)} (T5); download them, or pass --without-t5 to '
                               'encode as StableDiffusion3Pipeline does with text_encoder_3=None (zeros in place of T5)')
        raise EncoderError(f'{root}: missing {", ".join(f + "/" for f in missing)}; a {family} checkpoint folder holds '
                           f'{", ".join(f + "/" for f in fam.folders)} (download the full diffusers repository, not only transformer/)')
    if family == 'sana':
        _sana_inputs(root)


def encode_prompts(root: str, prompts_file: str, out: str, family: Optional[str] = None, max_len: Optional[int] = None,
                   batch_size: int = 8, device: str = 'cpu', dtype: str = 'fp32', without_t5: bool = False, no_instruction: bool = False,
                   log=lambda s: sys.stderr.write(f'encode-prompts: {s}\n')) -> str:
    family = family or detect_family(root)
    if family not in FAMILIES:
        raise EncoderError(f"unknown family '{family}': encode-prompts knows {', '.join(FAMILIES)}")
    if dtype not in DTYPES:
        raise EncoderError(f"--dtype '{dtype}': use one of {', '.join(DTYPES)}")
    if dtype == 'fp16' and device == 'cpu':
        raise EncoderError('--dtype fp16 needs --device cuda: torch has no half-precision matmul on the CPU; use --dtype bf16 or fp32 there')
    if batch_size < 1:
        raise EncoderError(f'--batch-size must be at least 1, got {batch_size}')
    fam = FAMILIES[family]
    if not os.path.isdir(root):
        raise EncoderError(f'{root}: no such checkpoint folder')
    if without_t5 and family != 'sd3':
        raise EncoderError(f'--without-t5 is for SD3 (its pipeline runs without text_encoder_3); '
                           f'{"SANA has no T5" if family == "sana" else family + " needs its T5"}')
    if no_instruction and family != 'sana':
        raise EncoderError(f'--no-instruction is for SANA (its complex human instruction); {family} has none')
    require_encoder_folders(root, family, without_t5)
    prompts = read_prompts(prompts_file)
    _writable(out)
    max_len = max_len or fam.default_max_len
    if max_len < 2:
        raise EncoderError(f'--max-sequence-length must be at least 2, got {max_len}')
    log(f'{family} checkpoint {root}: {len(prompts)} prompts (the empty prompt first), {"Gemma" if family == "sana" else "T5"} {max_len} tokens, '
        f'{dtype} on {device}')
    opts = {'device': device, 'dtype': DTYPES[dtype], 'batch_size': batch_size, 'max_len': max_len, 'without_t5': without_t5,
            'no_instruction': no_instruction}
    table = fam.encode(Encoders(root, opts, log), prompts)
    widths = teacher_widths(root)
    if widths:  # the table must fit the transformer beside the encoders
        got_widths = (('caption_channels', table.seq.shape[-1]),) if family == 'sana' else \
            (('joint_attention_dim', table.seq.shape[-1]), ('pooled_projection_dim', table.pooled.shape[-1]))
        for key, got in got_widths:
            if key in widths and widths[key] != got:
                raise EncoderError(f'{root}: the encoders give {got}-wide outputs but transformer/config.json has {key} {widths[key]}; are they of one checkpoint?')
    store = DTYPES[dtype]
    file = os.path.join(out, 'text.safetensors')
    tensors = {'prompt_embeds': table.seq.to(store).contiguous(), 'prompt_attention_mask': table.mask.float().contiguous()}
    if table.pooled is not None:  # SANA has none
        tensors['pooled_prompt_embeds'] = table.pooled.to(store).contiguous()
    meta = {'prompts': json.dumps(prompts, ensure_ascii=False), 'format': 'sidc-text-encodings/1', 'family': family,
            'encoders': table.encoders, 'checkpoint': os.path.abspath(root), 'max_sequence_length': str(0 if without_t5 else max_len), 'dtype': dtype}
    if family == 'sana':
        meta['complex_human_instruction'] = 'false' if no_instruction else 'true'
    write(file, tensors, meta)  # temp file + rename
    pooled = f', pooled_prompt_embeds {list(table.pooled.shape)}' if table.pooled is not None else ', prompt_attention_mask ' + str(list(table.mask.shape))
    log(f'wrote {file}: prompt_embeds {list(table.seq.shape)}{pooled}')
    return file
