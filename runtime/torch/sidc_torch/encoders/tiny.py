"""`python -m sidc_torch make-tiny-encoders DIR --family flux|sd3|sana`: tiny random text encoders in a diffusers
folder's layout, for tests and dry runs - transformers-format config.json + safetensors by transformers'
names (CLIP-L fp32 single file, CLIP-G fp16, T5 bf16 in two shards + index: every storage kind a real
checkpoint uses), a tiny CLIP BPE vocabulary learned from a few sentences, and a tiny spiece.model trained
offline by sentencepiece; SANA: a tiny Gemma-2 text model (bf16, two shards + index) and a tiny Gemma-style
tokenizer.model. Widths follow DIR/transformer/config.json (joint_attention_dim, pooled_projection_dim; SANA:
caption_channels) when there is one, so the table `encode-prompts` makes loads in the tiny teacher of `sidc make-tiny`."""
from __future__ import annotations

import collections
import io
import json
import os
from typing import Dict, List, Tuple

import torch

from ..formats.safetensors import write, write_sharded
from . import EncoderError
from .clip_tokenizer import bytes_to_unicode, merge_pair, normalize, pre_tokenize
from .sentencepiece_model import load_sentencepiece

SENTENCES = [
    'a red circle on a white table', 'two blue squares next to a green triangle', 'a photo of a cat sitting on the sofa',
    'an astronaut riding a horse on the moon', 'the quick brown fox jumps over the lazy dog', 'a watercolor painting of mountains at sunset',
    "it's a sunny day, isn't it?", 'three small birds on a wire', 'a close-up portrait of an old man with a beard',
    'a city street at night with neon lights', 'a bowl of fruit: apples, pears and grapes', 'the ocean waves crash against the rocks',
    'a dog playing in the snow', 'a vintage car parked by the road', 'children flying kites in the park', 'a cup of coffee and a book',
]
CLIP_MERGES = 120
BOS, EOS = '<|startoftext|>', '<|endoftext|>'


def clip_vocab(sentences: List[str] = SENTENCES, n_merges: int = CLIP_MERGES) -> Tuple[Dict[str, int], List[str]]:
    """CLIP's vocabulary layout (the 256 byte characters, the same with </w>, one token per merge, then the
    two special tokens) with merges learned by counting pairs over the sentences' words."""
    bmap = bytes_to_unicode()
    chars = list(bmap.values())
    words = collections.Counter(''.join(bmap[b] for b in w.encode('utf8')) for s in sentences for w in pre_tokenize(normalize(s)))
    split = {w: list(w[:-1]) + [w[-1] + '</w>'] for w in words}
    merges: List[str] = []
    for _ in range(n_merges):
        pairs: collections.Counter = collections.Counter()
        for w, syms in split.items():
            for a, b in zip(syms, syms[1:]):
                pairs[(a, b)] += words[w]
        if not pairs:
            break
        (a, b), _n = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append(f'{a} {b}')
        for w, syms in split.items():
            split[w] = merge_pair(syms, a, b)
    tokens = chars + [c + '</w>' for c in chars] + [m.replace(' ', '') for m in merges] + [BOS, EOS]
    return {t: i for i, t in enumerate(dict.fromkeys(tokens))}, merges


def write_clip_tokenizer(folder: str, pad: str) -> int:
    os.makedirs(folder, exist_ok=True)
    vocab, merges = clip_vocab()
    with open(os.path.join(folder, 'vocab.json'), 'w', encoding='utf8') as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(folder, 'merges.txt'), 'w', encoding='utf8') as f:
        f.write('#version: 0.2\n' + '\n'.join(merges) + '\n')
    special = {'bos_token': BOS, 'eos_token': EOS, 'unk_token': EOS, 'pad_token': pad}
    with open(os.path.join(folder, 'tokenizer_config.json'), 'w', encoding='utf8') as f:
        json.dump({'tokenizer_class': 'CLIPTokenizer', 'model_max_length': 77, **special}, f, indent=2)
    with open(os.path.join(folder, 'special_tokens_map.json'), 'w', encoding='utf8') as f:
        json.dump(special, f, indent=2)
    return len(vocab)


def write_spiece(folder: str, vocab_size: int = 96) -> int:
    """A unigram SentencePiece model with T5's ids (pad 0, </s> 1, <unk> 2, no <s>), trained on SENTENCES."""
    spm = load_sentencepiece()
    os.makedirs(folder, exist_ok=True)
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(SENTENCES * 4), model_writer=buf, vocab_size=vocab_size, model_type='unigram',
                                   pad_id=0, eos_id=1, unk_id=2, bos_id=-1, character_coverage=1.0, num_threads=1, hard_vocab_limit=False,
                                   minloglevel=2)
    with open(os.path.join(folder, 'spiece.model'), 'wb') as f:
        f.write(buf.getvalue())
    with open(os.path.join(folder, 'tokenizer_config.json'), 'w', encoding='utf8') as f:
        json.dump({'tokenizer_class': 'T5Tokenizer', 'eos_token': '</s>', 'pad_token': '<pad>', 'unk_token': '<unk>', 'extra_ids': 0}, f, indent=2)
    sp = spm.SentencePieceProcessor()
    sp.LoadFromSerializedProto(buf.getvalue())
    return sp.GetPieceSize()


def write_gemma_tokenizer(folder: str, vocab_size: int = 400) -> int:
    """A BPE SentencePiece model as Gemma's (byte fallback - the 256 byte pieces -, digits split, no dummy prefix,
    whitespace kept, no normalisation) with its ids (<pad> 0, <eos> 1, <bos> 2, <unk> 3), trained on SENTENCES;
    tokenizer_config.json as transformers' Gemma tokenizers. BPE matters: transformers converts a Gemma
    tokenizer.model as BPE, and on a unigram model its ids differ from sentencepiece's."""
    spm = load_sentencepiece()
    os.makedirs(folder, exist_ok=True)
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(SENTENCES * 4), model_writer=buf, vocab_size=vocab_size, model_type='bpe',
                                   byte_fallback=True, split_digits=True,
                                   pad_id=0, eos_id=1, bos_id=2, unk_id=3, pad_piece='<pad>', eos_piece='<eos>', bos_piece='<bos>',
                                   unk_piece='<unk>', add_dummy_prefix=False, remove_extra_whitespaces=False, normalization_rule_name='identity',
                                   character_coverage=1.0, num_threads=1, hard_vocab_limit=False, minloglevel=2)
    with open(os.path.join(folder, 'tokenizer.model'), 'wb') as f:
        f.write(buf.getvalue())
    with open(os.path.join(folder, 'tokenizer_config.json'), 'w', encoding='utf8') as f:
        json.dump({'tokenizer_class': 'GemmaTokenizer', 'add_bos_token': True, 'add_eos_token': False, 'bos_token': '<bos>', 'eos_token': '<eos>',
                   'pad_token': '<pad>', 'unk_token': '<unk>', 'padding_side': 'right', 'model_max_length': 8192}, f, indent=2)
    sp = spm.SentencePieceProcessor()
    sp.LoadFromSerializedProto(buf.getvalue())
    return sp.GetPieceSize()


# tiny Gemma-2: a window of 5 tokens binds at the test lengths, a soft-cap of 2 binds on these logits, and
# query_pre_attn_scalar differs from head_dim, so each of them shows in the output
GEMMA_TINY = {'num_hidden_layers': 3, 'num_attention_heads': 4, 'num_key_value_heads': 2, 'head_dim': 8, 'intermediate_size': 96,
              'query_pre_attn_scalar': 6, 'attn_logit_softcapping': 2.0, 'final_logit_softcapping': 30.0, 'sliding_window': 5,
              'rope_theta': 10000.0, 'rms_norm_eps': 1e-6}


def gemma2_weights(g: torch.Generator, vocab: int, d: int, c: dict) -> Dict[str, torch.Tensor]:
    """Gemma2Model's state dict (no prefix); norm weights near 0 as Gemma stores them (the scale is 1 + weight)."""
    hd, h, kv, ff = c['head_dim'], c['num_attention_heads'], c['num_key_value_heads'], c['intermediate_size']
    w = {'embed_tokens.weight': _normal(g, vocab, d, std=0.3), 'norm.weight': _normal(g, d, std=0.3)}
    for i in range(c['num_hidden_layers']):
        p = f'layers.{i}.'
        for n, (o, k) in {'self_attn.q_proj': (h * hd, d), 'self_attn.k_proj': (kv * hd, d), 'self_attn.v_proj': (kv * hd, d),
                          'self_attn.o_proj': (d, h * hd), 'mlp.gate_proj': (ff, d), 'mlp.up_proj': (ff, d), 'mlp.down_proj': (d, ff)}.items():
            w[p + n + '.weight'] = _normal(g, o, k, std=1.5 * k ** -0.5)
        for n in ('input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm'):
            w[p + n + '.weight'] = _normal(g, d, std=0.3)
    return w


def _write_gemma2(root: str, g, d: int) -> None:
    vocab = write_gemma_tokenizer(os.path.join(root, 'tokenizer'))
    folder = os.path.join(root, 'text_encoder')
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'config.json'), 'w', encoding='utf8') as f:
        json.dump({'architectures': ['Gemma2Model'], 'model_type': 'gemma2', 'hidden_size': d, 'vocab_size': vocab, 'hidden_activation': 'gelu_pytorch_tanh',
                   'hidden_act': 'gelu_pytorch_tanh', 'max_position_embeddings': 8192, 'attention_bias': False, 'torch_dtype': 'bfloat16',
                   'pad_token_id': 0, 'eos_token_id': 1, 'bos_token_id': 2, **GEMMA_TINY}, f, indent=2)
    w = gemma2_weights(g, vocab, d, GEMMA_TINY)
    total = sum(v.numel() * 2 for v in w.values())
    write_sharded(folder, 'model', {k: v.to(torch.bfloat16) for k, v in w.items()}, total // 2 + 1, {'format': 'pt'})


def _caption_channels(root: str) -> int:
    try:
        with open(os.path.join(root, 'transformer', 'config.json'), encoding='utf8') as f:
            return int(json.load(f).get('caption_channels', 64))
    except (OSError, json.JSONDecodeError, ValueError, TypeError):
        return 64


def _normal(g: torch.Generator, *shape: int, std: float = 0.2) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * std


def clip_weights(g: torch.Generator, vocab: int, d: int, layers: int, ff: int, proj: int) -> Dict[str, torch.Tensor]:
    w = {'text_model.embeddings.token_embedding.weight': _normal(g, vocab, d, std=0.5), 'text_model.embeddings.position_embedding.weight': _normal(g, 77, d)}
    for i in range(layers):
        p = f'text_model.encoder.layers.{i}.'
        for n, (o, k) in {'self_attn.q_proj': (d, d), 'self_attn.k_proj': (d, d), 'self_attn.v_proj': (d, d), 'self_attn.out_proj': (d, d),
                          'mlp.fc1': (ff, d), 'mlp.fc2': (d, ff)}.items():
            w[p + n + '.weight'], w[p + n + '.bias'] = _normal(g, o, k, std=k ** -0.5), _normal(g, o, std=0.1)
        for n in ('layer_norm1', 'layer_norm2'):
            w[p + n + '.weight'], w[p + n + '.bias'] = 1 + _normal(g, d, std=0.1), _normal(g, d, std=0.1)
    w['text_model.final_layer_norm.weight'], w['text_model.final_layer_norm.bias'] = 1 + _normal(g, d, std=0.1), _normal(g, d, std=0.1)
    if proj:
        w['text_projection.weight'] = _normal(g, proj, d, std=d ** -0.5)
    return w


def t5_weights(g: torch.Generator, vocab: int, d: int, heads: int, d_kv: int, ff: int, layers: int, buckets: int) -> Dict[str, torch.Tensor]:
    inner = heads * d_kv
    w = {'shared.weight': _normal(g, vocab, d, std=1.0), 'encoder.final_layer_norm.weight': 1 + _normal(g, d, std=0.1),
         'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight': _normal(g, buckets, heads, std=0.5)}
    w['encoder.embed_tokens.weight'] = w['shared.weight']
    for i in range(layers):
        p = f'encoder.block.{i}.layer.'
        for n, (o, k) in {'0.SelfAttention.q': (inner, d), '0.SelfAttention.k': (inner, d), '0.SelfAttention.v': (inner, d), '0.SelfAttention.o': (d, inner),
                          '1.DenseReluDense.wi_0': (ff, d), '1.DenseReluDense.wi_1': (ff, d), '1.DenseReluDense.wo': (d, ff)}.items():
            w[p + n + '.weight'] = _normal(g, o, k, std=k ** -0.5)
        w[p + '0.layer_norm.weight'], w[p + '1.layer_norm.weight'] = 1 + _normal(g, d, std=0.1), 1 + _normal(g, d, std=0.1)
    return {k: v.clone() for k, v in w.items()}


def _clip_config(vocab: int, d: int, layers: int, ff: int, proj: int, act: str, eos: int) -> dict:
    c = {'architectures': ['CLIPTextModelWithProjection' if proj else 'CLIPTextModel'], 'model_type': 'clip_text_model', 'hidden_size': d,
         'intermediate_size': ff, 'num_attention_heads': 2, 'num_hidden_layers': layers, 'max_position_embeddings': 77, 'hidden_act': act,
         'layer_norm_eps': 1e-5, 'vocab_size': vocab, 'bos_token_id': vocab - 2, 'eos_token_id': eos, 'pad_token_id': 1}
    return {**c, 'projection_dim': proj} if proj else c


def _write_clip(root: str, name: str, tok: str, g, d: int, proj: int, act: str, pad: str, eos_config: str, dtype: torch.dtype) -> None:
    vocab = write_clip_tokenizer(os.path.join(root, tok), pad)
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    eos = 2 if eos_config == 'legacy' else vocab - 1  # legacy configs say 2 and the model pools at argmax(ids)
    with open(os.path.join(folder, 'config.json'), 'w', encoding='utf8') as f:
        json.dump(_clip_config(vocab, d, 2, 2 * d, proj, act, eos), f, indent=2)
    w = clip_weights(g, vocab, d, 2, 2 * d, proj)
    write(os.path.join(folder, 'model.safetensors'), {k: v.to(dtype) for k, v in w.items()}, {'format': 'pt'})


def _write_t5(root: str, name: str, tok: str, g, d: int) -> None:
    vocab = write_spiece(os.path.join(root, tok))
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    heads, d_kv, ff = 4, 8, 96
    with open(os.path.join(folder, 'config.json'), 'w', encoding='utf8') as f:
        json.dump({'architectures': ['T5EncoderModel'], 'model_type': 't5', 'd_model': d, 'd_kv': d_kv, 'num_heads': heads, 'd_ff': ff, 'num_layers': 2,
                   'relative_attention_num_buckets': 32, 'relative_attention_max_distance': 128, 'layer_norm_epsilon': 1e-6,
                   'feed_forward_proj': 'gated-gelu', 'dense_act_fn': 'gelu_new', 'is_gated_act': True, 'vocab_size': vocab,
                   'pad_token_id': 0, 'eos_token_id': 1}, f, indent=2)
    w = t5_weights(g, vocab, d, heads, d_kv, ff, 2, 32)
    total = sum(v.numel() * 2 for v in w.values())
    write_sharded(folder, 'model', {k: v.to(torch.bfloat16) for k, v in w.items()}, total // 2 + 1, {'format': 'pt'})


def _widths(root: str) -> Tuple[int, int]:
    try:
        with open(os.path.join(root, 'transformer', 'config.json'), encoding='utf8') as f:
            c = json.load(f)
        return int(c.get('joint_attention_dim', 64)), int(c.get('pooled_projection_dim', 32))
    except (OSError, json.JSONDecodeError):
        return 64, 32


def _model_index(root: str, pipeline: str, parts: Dict[str, List[str]]) -> None:
    path = os.path.join(root, 'model_index.json')
    if os.path.exists(path):
        return
    if os.path.isdir(os.path.join(root, 'transformer')):
        cls = {'StableDiffusion3Pipeline': 'SD3Transformer2DModel', 'SanaPipeline': 'SanaTransformer2DModel'}.get(pipeline, 'FluxTransformer2DModel')
        parts = {**parts, 'transformer': ['diffusers', cls]}
    with open(path, 'w', encoding='utf8') as f:
        json.dump({'_class_name': pipeline, **parts}, f, indent=2)


def make_tiny_encoders(root: str, family: str, seed: int = 0) -> str:
    joint, pooled = _widths(root)
    g = torch.Generator().manual_seed(seed)
    os.makedirs(root, exist_ok=True)
    if family == 'flux':  # CLIP-L without projection (pooled width = its hidden size), T5
        _write_clip(root, 'text_encoder', 'tokenizer', g, pooled, 0, 'quick_gelu', EOS, 'legacy', torch.float32)
        _write_t5(root, 'text_encoder_2', 'tokenizer_2', g, joint)
        _model_index(root, 'FluxPipeline', {'text_encoder': ['transformers', 'CLIPTextModel'], 'tokenizer': ['transformers', 'CLIPTokenizer'],
                                            'text_encoder_2': ['transformers', 'T5EncoderModel'], 'tokenizer_2': ['transformers', 'T5TokenizerFast']})
    elif family == 'sd3':  # CLIP-L and CLIP-G with projections (pooled = both side by side), T5
        if pooled % 2 or joint < 40:
            raise EncoderError(f'{root}/transformer/config.json: tiny SD3 encoders need an even pooled_projection_dim and joint_attention_dim >= 40')
        _write_clip(root, 'text_encoder', 'tokenizer', g, 16, pooled // 2, 'quick_gelu', EOS, 'legacy', torch.float32)
        _write_clip(root, 'text_encoder_2', 'tokenizer_2', g, 24, pooled // 2, 'gelu', '!', 'current', torch.float16)
        _write_t5(root, 'text_encoder_3', 'tokenizer_3', g, joint)
        clip = ['transformers', 'CLIPTextModelWithProjection']
        _model_index(root, 'StableDiffusion3Pipeline', {'text_encoder': clip, 'text_encoder_2': clip, 'text_encoder_3': ['transformers', 'T5EncoderModel'],
                                                        'tokenizer': ['transformers', 'CLIPTokenizer'], 'tokenizer_2': ['transformers', 'CLIPTokenizer'],
                                                        'tokenizer_3': ['transformers', 'T5TokenizerFast']})
    elif family == 'sana':  # Gemma-2 (Gemma2Model) as wide as the teacher's caption_channels
        d = _caption_channels(root)
        if d % 2:
            raise EncoderError(f'{root}/transformer/config.json: tiny SANA encoders need an even caption_channels, got {d}')
        _write_gemma2(root, g, d)
        _model_index(root, 'SanaPipeline', {'text_encoder': ['transformers', 'Gemma2Model'], 'tokenizer': ['transformers', 'GemmaTokenizerFast']})
    else:
        raise EncoderError(f"make-tiny-encoders: unknown family '{family}'; use flux, sd3 or sana")
    return root
