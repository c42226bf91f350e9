"""A tokenizer folder's SentencePiece model (spiece.model for T5, tokenizer.model for Gemma) through the
sentencepiece library (Debian: python3-sentencepiece), with its special and added tokens matched in the raw text
first and the pieces between them encoded on their own, as transformers' T5 and Gemma tokenizers do (a `</s>` or
`<pad>` written in a prompt is that one token). T5Tokenizer and GemmaTokenizer add their BOS / EOS and padding."""
from __future__ import annotations

import json
import os
import re
import sys
from typing import Dict, Iterable, List

from . import EncoderError

SENTENCEPIECE_HINT = 'install sentencepiece: `apt-get install python3-sentencepiece` (Debian/Ubuntu) or `pip install sentencepiece`'


def load_sentencepiece():
    try:
        import sentencepiece
    except ImportError:
        raise EncoderError(f'the T5 and Gemma tokenizers need the sentencepiece module, which {sys.executable} lacks; {SENTENCEPIECE_HINT}') from None
    return sentencepiece


class SentencePieceModel:
    def __init__(self, folder: str, filename: str, tokenizer: str):
        path = os.path.join(folder, filename)
        if not os.path.isfile(path):
            raise EncoderError(f'{path}: missing; the {tokenizer} tokenizer folder holds {filename} (as the diffusers checkpoint ships it)')
        self.folder = folder
        self.sp = load_sentencepiece().SentencePieceProcessor()
        if not self.sp.Load(path):
            raise EncoderError(f'{path}: not a SentencePiece model')
        self.special: Dict[str, int] = {}
        self.split = None

    def keep_whole(self, ids: Iterable[int]) -> None:
        """Matches the pieces of ``ids`` (those the model has) and tokenizer_config.json's added tokens whole."""
        special = {self.sp.IdToPiece(i): i for i in ids if 0 <= i < self.sp.GetPieceSize()}
        special.update(added_tokens(self.folder))
        self.special = special
        self.split = re.compile('|'.join(re.escape(t) for t in sorted(special, key=len, reverse=True))) if special else None

    def encode(self, text: str) -> List[int]:
        """The ids of ``text``, special tokens whole, nothing added around them."""
        if self.split is None:
            return list(self.sp.EncodeAsIds(text))
        ids, at = [], 0
        for m in self.split.finditer(text):
            ids += list(self.sp.EncodeAsIds(text[at:m.start()])) + [self.special[m.group(0)]]
            at = m.end()
        return ids + list(self.sp.EncodeAsIds(text[at:]))


def added_tokens(folder: str) -> Dict[str, int]:
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
