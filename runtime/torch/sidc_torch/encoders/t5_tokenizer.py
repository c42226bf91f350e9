"""T5's tokenizer: the SentencePiece model of tokenizer_3/ (SD3) or tokenizer_2/ (FLUX), spiece.model, through
the sentencepiece library (Debian: python3-sentencepiece), with </s> appended, truncation and padding to
max_length as tokenizer(text, padding="max_length", max_length=L, truncation=True) in the diffusers pipelines."""
from __future__ import annotations

import os
import sys
from typing import List, Tuple

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

    def encode(self, text: str) -> List[int]:
        return list(self.sp.EncodeAsIds(text))

    def __call__(self, text: str, max_length: int) -> Tuple[List[int], List[int]]:
        ids = self.encode(text)[: max_length - 1] + [self.eos]
        mask = [1] * len(ids) + [0] * (max_length - len(ids))
        return ids + [self.pad] * (max_length - len(ids)), mask
