"""sidc_torch's tokenizers against references: CLIP BPE vs the ids Hugging Face's `tokenizers` gave once
(fixtures/clip-bpe-ids.json, made by fixtures/make_clip_bpe_ids.py), T5 vs sentencepiece itself with </s>
appended, truncation and padding, special tokens written in the text kept whole; Gemma (SANA) vs sentencepiece
with <bos> first, truncation and right padding with <pad>.
Prints JSON {"clip": [mismatches], "t5": [mismatches], "gemma": [mismatches], "cases": n}.
  python3 encoders_tokenizers.py SPIECE_FOLDER GEMMA_TOKENIZER_FOLDER"""
import json
import os
import sys
import tempfile

import sentencepiece

from sidc_torch.encoders.clip_tokenizer import ClipTokenizer
from sidc_torch.encoders.gemma_tokenizer import GemmaTokenizer
from sidc_torch.encoders.t5_tokenizer import T5Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))


def clip_mismatches():
    with open(os.path.join(HERE, 'fixtures', 'clip-bpe-ids.json'), encoding='utf8') as f:
        fx = json.load(f)
    d = tempfile.mkdtemp()
    with open(os.path.join(d, 'vocab.json'), 'w', encoding='utf8') as f:
        json.dump(fx['vocab'], f, ensure_ascii=False)
    with open(os.path.join(d, 'merges.txt'), 'w', encoding='utf8') as f:
        f.write('#version: 0.2\n' + '\n'.join(fx['merges']) + '\n')
    with open(os.path.join(d, 'special_tokens_map.json'), 'w', encoding='utf8') as f:
        json.dump({k: fx[k] for k in ('bos_token', 'eos_token', 'pad_token')}, f)
    tok = ClipTokenizer(d)
    bad = [{'text': c['text'], 'got': tok(c['text'])[0], 'want': c['ids']} for c in fx['cases'] if tok(c['text'])[0] != c['ids']]
    return bad, len(fx['cases'])


def t5_mismatches(folder):
    sp = sentencepiece.SentencePieceProcessor()
    sp.Load(os.path.join(folder, 'spiece.model'))
    tok = T5Tokenizer(folder)
    texts = ['', 'a red circle', 'Two BLUE squares, next to a green triangle!', "it's 3 o'clock", 'naïve café 日本 🐱', 'x ' * 100]
    bad = []
    for text in texts:
        for max_len in (8, 64):
            ref = sp.EncodeAsIds(text)[: max_len - 1] + [1]  # </s> is id 1 in T5's vocabulary
            want = (ref + [0] * max_len)[:max_len], [1] * len(ref) + [0] * (max_len - len(ref))
            got = tok(text, max_len)
            if [list(got[0]), list(got[1])] != [want[0], want[1]]:
                bad.append({'text': text, 'max_len': max_len, 'got': got, 'want': want})
    # special tokens written in a prompt are those tokens; the text between them is encoded on its own (transformers)
    for text, pieces in (('</s> inside', [1, ' inside']), ('<pad> and <unk>', [0, ' and ', 2])):
        ref = [i for p in pieces for i in ([p] if isinstance(p, int) else sp.EncodeAsIds(p))] + [1]
        got = tok(text, 16)[0][:len(ref)]
        if list(got) != ref:
            bad.append({'text': text, 'got': got, 'want': ref})
    return bad


def gemma_mismatches(folder):
    sp = sentencepiece.SentencePieceProcessor()
    sp.Load(os.path.join(folder, 'tokenizer.model'))
    tok = GemmaTokenizer(folder)
    texts = ['', 'a red circle', 'Two BLUE squares, next to a green triangle!', "it's 3 o'clock", 'naïve café 日本 🐱', 'x ' * 100, 'line one\nUser Prompt: a']
    bad = []
    for text in texts:
        for max_len in (8, 64):
            ref = ([2] + sp.EncodeAsIds(text))[:max_len]  # <bos> is id 2, <pad> 0 in Gemma's vocabulary
            want = ref + [0] * (max_len - len(ref)), [1] * len(ref) + [0] * (max_len - len(ref))
            got = tok(text, max_len)
            if [list(got[0]), list(got[1])] != [want[0], want[1]]:
                bad.append({'text': text, 'max_len': max_len, 'got': got, 'want': want})
    for text, pieces in (('<eos> inside', [1, ' inside']), ('a <bos> b', ['a ', 2, ' b'])):
        ref = [2] + [i for p in pieces for i in ([p] if isinstance(p, int) else sp.EncodeAsIds(p))]
        if tok.encode(text) != ref:
            bad.append({'text': text, 'got': tok.encode(text), 'want': ref})
    return bad


def main():
    clip, n = clip_mismatches()
    print(json.dumps({'clip': clip, 'cases': n, 't5': t5_mismatches(sys.argv[1]), 'gemma': gemma_mismatches(sys.argv[2])}, ensure_ascii=False))


if __name__ == '__main__':
    main()
