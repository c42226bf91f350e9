"""CLIP's byte-level BPE in pure Python, as Hugging Face's CLIPTokenizerFast (transformers'
convert_slow_tokenizer.CLIPConverter): special tokens (bos, eos, pad, unk, added tokens) kept whole; NFC, runs of whitespace -> one space, lowercase; split into
contractions, letter runs, single digits and runs of other non-space characters; bytes mapped to printable
characters (GPT-2's bytes_to_unicode); BPE by merge rank with `</w>` ending each word; <|startoftext|> ...
<|endoftext|>; truncation and padding to max_length (77). Reads vocab.json + merges.txt of tokenizer/."""
from __future__ import annotations

import json
import os
import re
import unicodedata
from typing import Dict, List, Tuple

from . import EncoderError

_CONTRACTIONS = ('s', 't', 're', 've', 'm', 'll', 'd')


def bytes_to_unicode() -> Dict[int, str]:
    """GPT-2's reversible map of the 256 bytes onto printable characters."""
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def _kind(ch: str) -> str:
    if ch.isspace():
        return 's'
    cat = unicodedata.category(ch)
    return 'L' if cat[0] == 'L' else 'N' if cat[0] == 'N' else 'o'


def normalize(text: str) -> str:
    return re.sub(r'\s+', ' ', unicodedata.normalize('NFC', text)).lower()


def pre_tokenize(text: str) -> List[str]:
    """The pattern 's|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+ scanned left to right
    (the regex's leftmost-first alternation), with unicodedata categories standing in for \\p{L} / \\p{N}."""
    out, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        k = _kind(ch)
        if ch == "'":
            c = next((c for c in _CONTRACTIONS if text.startswith(c, i + 1)), None)
            if c is not None:
                out.append("'" + c)
                i += 1 + len(c)
                continue
        if k == 's':
            i += 1
            continue
        if k == 'N':
            out.append(ch)
            i += 1
            continue
        j = i + 1
        while j < n and _kind(text[j]) == k:
            j += 1
        out.append(text[i:j])
        i = j
    return out



def merge_pair(syms: List[str], a: str, b: str) -> List[str]:
    """``syms`` with every occurrence of the pair (a, b) merged into one symbol, left to right (one BPE merge)."""
    merged, i = [], 0
    while i < len(syms):
        if i < len(syms) - 1 and syms[i] == a and syms[i + 1] == b:
            merged.append(a + b)
            i += 2
        else:
            merged.append(syms[i])
            i += 1
    return merged

class ClipTokenizer:
    def __init__(self, folder: str):
        vocab_file, merges_file = os.path.join(folder, 'vocab.json'), os.path.join(folder, 'merges.txt')
        for f in (vocab_file, merges_file):
            if not os.path.isfile(f):
                raise EncoderError(f'{f}: missing; a CLIP tokenizer folder holds vocab.json and merges.txt (as the diffusers checkpoint ships them)')
        with open(vocab_file, encoding='utf8') as f:
            self.vocab: Dict[str, int] = json.load(f)
        with open(merges_file, encoding='utf8') as f:
            lines = [ln.rstrip('\n') for ln in f]
        pairs = [tuple(ln.split()) for ln in lines if ln and not ln.startswith('#version')]
        self.ranks: Dict[Tuple[str, str], int] = {p: r for r, p in enumerate(pairs) if len(p) == 2}
        cfg = _tokenizer_config(folder)
        self.bos = self._id(cfg.get('bos_token', '<|startoftext|>'), vocab_file)
        self.eos = self._id(cfg.get('eos_token', '<|endoftext|>'), vocab_file)
        self.pad = self._id(cfg.get('pad_token', cfg.get('eos_token', '<|endoftext|>')), vocab_file)
        self.unk = self.vocab.get(_token_text(cfg.get('unk_token', '<|endoftext|>')), self.eos)
        self.byte_map = bytes_to_unicode()
        self.cache: Dict[str, List[str]] = {}
        # special and added tokens are matched in the raw text and never BPE'd, as transformers' tokenizers do:
        # SD3's CLIP-G pads with "!", so a "!" in a prompt is that token (id 0), not "!</w>"
        added = [_token_text(t) for t in (cfg.get('added_tokens_decoder') or {}).values()]
        specials = {t for t in [_token_text(cfg.get(k, '')) for k in ('bos_token', 'eos_token', 'pad_token', 'unk_token')] + added if t in self.vocab}
        self.specials = re.compile('|'.join(re.escape(t) for t in sorted(specials, key=len, reverse=True))) if specials else None

    def _id(self, tok, where: str) -> int:
        t = _token_text(tok)
        if t not in self.vocab:
            raise EncoderError(f'{where}: the special token {t!r} of the tokenizer config is not in the vocabulary')
        return self.vocab[t]

    def bpe(self, word: str) -> List[str]:
        if word in self.cache:
            return self.cache[word]
        syms = list(word[:-1]) + [word[-1] + '</w>']
        while len(syms) > 1:
            best = min(((self.ranks.get((a, b), 1 << 62), i) for i, (a, b) in enumerate(zip(syms, syms[1:]))))
            if best[0] == 1 << 62:
                break
            syms = merge_pair(syms, syms[best[1]], syms[best[1] + 1])
        self.cache[word] = syms
        return syms

    def encode(self, text: str) -> List[int]:
        """Token ids, without the BOS / EOS added around them."""
        if self.specials is None:
            return self._encode_plain(text)
        ids, at = [], 0
        for m in self.specials.finditer(text):
            ids += self._encode_plain(text[at:m.start()]) + [self.vocab[m.group(0)]]
            at = m.end()
        return ids + self._encode_plain(text[at:])

    def _encode_plain(self, text: str) -> List[int]:
        ids = []
        for piece in pre_tokenize(normalize(text)):
            word = ''.join(self.byte_map[b] for b in piece.encode('utf8'))
            ids.extend(self.vocab.get(s, self.unk) for s in self.bpe(word))
        return ids

    def __call__(self, text: str, max_length: int = 77) -> Tuple[List[int], List[int]]:
        """(ids, mask) padded to max_length, as tokenizer(text, padding="max_length", truncation=True)."""
        ids = [self.bos] + self.encode(text)[: max_length - 2] + [self.eos]
        mask = [1] * len(ids) + [0] * (max_length - len(ids))
        return ids + [self.pad] * (max_length - len(ids)), mask


def _token_text(tok) -> str:
    return tok['content'] if isinstance(tok, dict) else str(tok)


def _tokenizer_config(folder: str) -> dict:
    """tokenizer_config.json, then special_tokens_map.json (which wins, as transformers loads them)."""
    out: dict = {}
    for name in ('tokenizer_config.json', 'special_tokens_map.json'):
        p = os.path.join(folder, name)
        if os.path.isfile(p):
            try:
                with open(p, encoding='utf8') as f:
                    out.update({k: v for k, v in json.load(f).items() if v is not None})
            except (OSError, json.JSONDecodeError) as e:
                raise EncoderError(f'{p}: cannot read: {e}') from None
    return out
