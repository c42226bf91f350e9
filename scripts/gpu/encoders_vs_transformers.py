"""Optional cross-check of `sidc encode-prompts`' plain-torch encoders against transformers itself, where
transformers is installed - e.g. a GPU machine; CI has it not and checks against the float64 numpy oracle
instead (test/runtime/torch/encoders-numerics.test.ts). On tiny random encoders (`python -m sidc_torch
make-tiny-encoders`, fp32 / fp16 / sharded bf16 storage): CLIP-L (legacy EOS = argmax) and CLIP-G
(eos_token_id) hidden_states[-2] and pooled / text_embeds, T5 v1.1 over 160 tokens, SANA's Gemma-2
(Gemma2Model, eager attention: soft-capping, the sliding window binding at 40 tokens, a padded row) and the
CLIP, T5 and Gemma tokenizers' ids (AutoTokenizer) on awkward strings. Exit 1 on a difference.
On a torch older than transformers' 2.5, scripts/reference/torch2_shim.py supplies what it calls.
  PYTHONPATH=runtime/torch python3 scripts/gpu/encoders_vs_transformers.py [--device cuda]"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

import torch

from sidc_torch.encoders.clip import ClipText
from sidc_torch.encoders.clip_tokenizer import ClipTokenizer
from sidc_torch.encoders.gemma2 import Gemma2Text
from sidc_torch.encoders.gemma_tokenizer import GemmaTokenizer
from sidc_torch.encoders.t5 import T5Encoder
from sidc_torch.encoders.t5_tokenizer import T5Tokenizer
from sidc_torch.encoders.tiny import make_tiny_encoders
from sidc_torch.formats.safetensors import read_checkpoint

TEXTS = ['', 'a red circle', 'Two BLUE squares, next to a green triangle!', "it's 3 o'clock", 'naïve café 日本 🐱', 'hello...world!!! ??? ,,,',
         'x ' * 100, 'wow!great! <|endoftext|> inside, and <|startoftext|>too', 'a!b!!c', '</s> inside', '<pad> and <unk>', '  two  spaces ', 'ﬁ ①']


def reference(cls, cfg_cls, folder: str, device: str):
    cfg = cfg_cls.from_pretrained(folder)
    cfg._attn_implementation = 'eager'
    m = cls(cfg).eval().to(device)
    sd = {k: v.float() for k, v in read_checkpoint(folder)[0].items()}
    if not any(k.startswith('text_model.') for k in m.state_dict()):  # transformers 5's CLIPTextModel has no text_model. prefix
        sd = {k.removeprefix('text_model.'): v for k, v in sd.items()}
    missing, unexpected = m.load_state_dict(sd, strict=False)
    if missing or unexpected:
        raise SystemExit(f'{folder}: state dict mismatch: missing {missing[:3]}, unexpected {unexpected[:3]}')
    return m


def rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a.float().cpu() - b.float().cpu()).abs().max() / b.float().abs().max().clamp_min(1e-12))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--device', default='cpu')
    args = ap.parse_args()
    old_torch = tuple(int(x) for x in torch.__version__.split('.')[:2]) < (2, 5)
    if old_torch:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'reference'))
        import torch2_shim
        torch2_shim.for_transformers()
    from transformers import (AutoTokenizer, CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, Gemma2Config, Gemma2Model, T5Config,
                              T5EncoderModel)
    if old_torch:
        torch2_shim.after_transformers_import()
    root = tempfile.mkdtemp(prefix='sidc-encoders-')
    out, bad = {}, []
    g = torch.Generator().manual_seed(0)
    for family in ('flux', 'sd3'):
        d = make_tiny_encoders(os.path.join(root, family), family)
        for enc in ('text_encoder', 'text_encoder_2', 'text_encoder_3'):
            folder = os.path.join(d, enc)
            if not os.path.isdir(folder):
                continue
            with open(os.path.join(folder, 'config.json')) as f:
                cfg = json.load(f)
            if cfg['model_type'] == 't5':
                ids = torch.randint(0, cfg['vocab_size'], (2, 160), generator=g)
                with torch.no_grad():
                    ref = reference(T5EncoderModel, T5Config, folder, args.device)(input_ids=ids.to(args.device)).last_hidden_state
                out[f'{family}/{enc} last_hidden_state'] = rel(T5Encoder(folder, args.device)(ids), ref)
                continue
            proj = 'projection_dim' in cfg
            ids = torch.randint(0, cfg['vocab_size'] - 2, (3, 77), generator=g)
            for r, at in enumerate((5, 40, 76)):
                ids[r, at:] = cfg['vocab_size'] - 1  # EOS, then EOS padding
            with torch.no_grad():
                ref = reference(CLIPTextModelWithProjection if proj else CLIPTextModel, CLIPTextConfig, folder, args.device)(
                    input_ids=ids.to(args.device), output_hidden_states=True)
            got = ClipText(folder, args.device)(ids)
            out[f'{family}/{enc} hidden_states[-2]'] = rel(got.hidden_states[-2], ref.hidden_states[-2])
            out[f'{family}/{enc} pooled'] = rel(got.text_embeds if proj else got.pooled, ref.text_embeds if proj else ref.pooler_output)
        for tok in ('tokenizer', 'tokenizer_2', 'tokenizer_3'):
            folder = os.path.join(d, tok)
            if not os.path.isdir(folder):
                continue
            clip = os.path.isfile(os.path.join(folder, 'vocab.json'))
            ref_tok, mine, n = AutoTokenizer.from_pretrained(folder), (ClipTokenizer if clip else T5Tokenizer)(folder), 77 if clip else 48
            for t in TEXTS:
                want = ref_tok(t, padding='max_length', max_length=n, truncation=True).input_ids
                if list(mine(t, n)[0]) != want:
                    bad.append(f'{family}/{tok}: {t!r}: {mine(t, n)[0][:12]} vs transformers {want[:12]}')
            out[f'{family}/{tok} strings'] = len(TEXTS)
    d = make_tiny_encoders(os.path.join(root, 'sana'), 'sana')
    folder = os.path.join(d, 'text_encoder')
    with open(os.path.join(folder, 'config.json')) as f:
        cfg = json.load(f)
    ids = torch.randint(3, cfg['vocab_size'], (2, 40), generator=g)
    ids[:, 0] = cfg['bos_token_id']
    mask = torch.ones(2, 40)
    mask[1, 23:] = 0  # a padded prompt: SanaPipeline passes the mask to the model
    ids[1, 23:] = cfg['pad_token_id']
    with torch.no_grad():
        ref = reference(Gemma2Model, Gemma2Config, folder, args.device)(input_ids=ids.to(args.device), attention_mask=mask.long().to(args.device))
    out['sana/text_encoder last_hidden_state'] = rel(Gemma2Text(folder, args.device)(ids, mask), ref.last_hidden_state)
    out['sana/text_encoder sliding_window'] = cfg['sliding_window']
    folder = os.path.join(d, 'tokenizer')
    ref_tok, mine = AutoTokenizer.from_pretrained(folder), GemmaTokenizer(folder)
    for t in TEXTS:
        want = ref_tok(t, padding='max_length', max_length=48, truncation=True).input_ids
        if list(mine(t, 48)[0]) != want:
            bad.append(f'sana/tokenizer: {t!r}: {mine(t, 48)[0][:12]} vs transformers {want[:12]}')
    out['sana/tokenizer strings'] = len(TEXTS)
    bad += [f'{k}: relative error {v:.2e}' for k, v in out.items() if not k.endswith(('strings', 'sliding_window')) and v > 1e-5]
    print(json.dumps(out, indent=1))
    for b in bad:
        print('DIFFERS', b)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
