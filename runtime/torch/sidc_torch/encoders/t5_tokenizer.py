"""T5's tokenizer: the SentencePiece model of tokenizer_3/ (SD3) or tokenizer_2/ (FLUX), spiece.model, with </s>
appended, truncation and padding to max_length as tokenizer(text, padding="max_length", max_length=L,
truncation=True) in the diffusers pipelines."""
from __future__ import annotations

from typing import List, Tuple

from .sentencepiece_model import SentencePieceModel


class T5Tokenizer:
    def __init__(self, folder: str):
        self.model = SentencePieceModel(folder, 'spiece.model', 'T5')
        sp = self.model.sp
        self.eos = sp.eos_id() if sp.eos_id() >= 0 else 1
        self.pad = sp.pad_id() if sp.pad_id() >= 0 else 0
        self.model.keep_whole((self.eos, self.pad, sp.unk_id()))  # and <extra_id_N> from tokenizer_config.json

    def encode(self, text: str) -> List[int]:
        return self.model.encode(text)

    def __call__(self, text: str, max_length: int) -> Tuple[List[int], List[int]]:
        ids = self.encode(text)[: max_length - 1] + [self.eos]
        mask = [1] * len(ids) + [0] * (max_length - len(ids))
        return ids + [self.pad] * (max_length - len(ids)), mask
