"""Gemma's tokenizer (SANA's tokenizer/, tokenizer.model) as transformers' Gemma tokenizers: <bos> first
(add_bos_token), no <eos>, special and added tokens kept whole; truncation to max_length, right padding with
<pad>, as tokenizer(text, padding="max_length", max_length=L, truncation=True) in SanaPipeline."""
from __future__ import annotations

from typing import List, Tuple

from .sentencepiece_model import SentencePieceModel


class GemmaTokenizer:
    def __init__(self, folder: str):
        self.model = SentencePieceModel(folder, 'tokenizer.model', 'Gemma')
        sp = self.model.sp
        self.bos = sp.bos_id() if sp.bos_id() >= 0 else 2
        self.pad = sp.pad_id() if sp.pad_id() >= 0 else 0
        self.model.keep_whole((self.bos, self.pad, sp.eos_id(), sp.unk_id()))

    def encode(self, text: str) -> List[int]:
        """tokenizer.encode(text): <bos> then the pieces' ids."""
        return [self.bos] + self.model.encode(text)

    def __call__(self, text: str, max_length: int) -> Tuple[List[int], List[int]]:
        """tokenizer(text, padding="max_length", max_length=max_length, truncation=True): (ids, attention mask)."""
        ids = self.encode(text)[:max_length]
        mask = [1] * len(ids) + [0] * (max_length - len(ids))
        return ids + [self.pad] * (max_length - len(ids)), mask
