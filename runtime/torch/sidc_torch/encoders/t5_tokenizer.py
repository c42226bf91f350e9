"""T5's tokenizer: the SentencePiece model of tokenizer_3/ (SD3) or tokenizer_2/ (FLUX), spiece.model, through
the sentencepiece library (Debian: python3-sentencepiece), with </s> appended, truncation and padding to
max_length as tokenizer(text, padding="max_length", max_length=L, truncation=True) in the diffusers pipelines."""
from __future__ import annotations

import json
import os
import re
import sys
from typing import Dict, List, Tuple

from . import EncoderError

SENTENCEPIECE_HINT = 'install sentencepiece: `apt-get install python3-sentencepiece` (Debian/Ubuntu) or `pip install sentencepiece`'


def load_sentencepiece():
    try:
        import sentencepiece
    except ImportError:
        raise EncoderError(f'the T5 tokenizer needs the sentencepiece module, which {sys.executable} lacks; {SENTENCEPIECE_HINT}') from None
    return sentencepiece


class T5Tokenizer:
    def __init__(self, folder: str):
        path = os.path.join(folder, 'spiece.model')
        if not os.path.isfile(path):
            raise EncoderError(f'{path}: missing; the T5 tokenizer folder holds spiece.model (as the diffusers checkpoint ships it)')
        spm = load_sentencepiece()
        self.sp = spm.SentencePieceProcessor()
        if not self.sp.Load(path):
            raise EncoderError(f'{path}: not a SentencePiece model')
        self.eos = self.sp.eos_id() if self.sp.eos_id() >= 0 else 1
        self.pad = self.sp.pad_id() if self.sp.pad_id() >= 0 else 0
        # special and added tokens (</s>, <pad>, <unk>, <extra_id_N>) are matched in the raw text and the pieces
        # between them encoded on their own, as transformers' T5 tokenizers do
        special: Dict[str, int] = {self.sp.IdToPiece(i): i for i in (self.eos, self.pad, self.sp.unk_id()) if 0 <= i < self.sp.GetPieceSize()}
        special.update(_added_tokens(folder))
        self.special = special
        self.split = re.compile('|'.join(re.escape(t) for t in sorted(special, key=len, reverse=True))) if special else None

    def encode(self, text: str) -> List[int]:
        if self.split is None:
            return list(self.sp.EncodeAsIds(text))
        ids, at = [], 0
        for m in self.split.finditer(text):
            ids += list(self.sp.EncodeAsIds(text[at:m.start()])) + [self.special[m.group(0)]]
            at = m.end()
        return ids + list(self.sp.EncodeAsIds(text[at:]))

    def __call__(self, text: str, max_length: int) -> Tuple[List[int], List[int]]:
        ids = self.encode(text)[: max_length - 1] + [self.eos]
        mask = [1] * len(ids) + [0] * (max_length - len(ids))
        return ids + [self.pad] * (max_length - len(ids)), mask


def _added_tokens(folder: str) -> Dict[str, int]:
    """{content: id} of tokenizer_config.json's added_tokens_decoder (T5: <extra_id_0> ... beyond spiece.model)."""
    path = os.path.join(folder, 'tokenizer_config.json')
    if not os.path.isfile(path):
        return {}
    try:
        with open(path, encoding='utf8') as f:
            dec = json.load(f).get('added_tokens_decoder') or {}
        return {(v['content'] if isinstance(v, dict) else str(v)): int(k) for k, v in dec.items()}
    except (OSError, ValueError, KeyError, AttributeError) as e:
        raise EncoderError(f'{path}: cannot read its added_tokens_decoder: {e}') from None
