"""The prompt pipelines of the diffusers teachers, on this package's encoders: which folders each family
reads and how their outputs become (prompt_embeds, prompt_attention_mask, pooled_prompt_embeds). Each
encoder is loaded, run over every prompt in batches and released before the next one is loaded, so only one
encoder's weights are in memory at a time (T5-XXL alone is 4.7B parameters)."""
from __future__ import annotations

import json
import os
from typing import Callable, Dict, List, NamedTuple, Optional

import torch
import torch.nn.functional as F

from . import EncoderError
from .clip import ClipText
from .clip_tokenizer import ClipTokenizer
from .t5 import T5Encoder
from .t5_tokenizer import T5Tokenizer

CLIP_TOKENS = 77  # the pipelines' tokenizer_max_length (CLIPTokenizer.model_max_length)
Log = Callable[[str], None]


class Table(NamedTuple):
    seq: torch.Tensor  # [N, L, text_dim]
    mask: torch.Tensor  # [N, L]
    pooled: Optional[torch.Tensor]  # [N, P]
    encoders: str  # which encoders made it (metadata)


class Family(NamedTuple):
    default_max_len: int  # T5 tokens: the pipeline's max_sequence_length default
    folders: List[str]  # what must exist in the checkpoint folder
    encode: Callable[..., Table]


def _batches(prompts: List[str], size: int):
    for i in range(0, len(prompts), size):
        yield i, prompts[i:i + size]


def _run_clip(root: str, enc: str, tok: str, prompts, opts, log: Log):
    """[(hidden_states[-2], pooled, text_embeds, mask)] over every prompt, as *._get_clip_prompt_embeds."""
    tokenizer = ClipTokenizer(os.path.join(root, tok))
    model = ClipText(os.path.join(root, enc), opts['device'], opts['dtype'])
    log(f'{enc}: CLIP text model, {model.layers} layers, width {model.width}, projection {model.projection_dim}')
    seqs, pooled, embeds, masks = [], [], [], []
    for i, batch in _batches(prompts, opts['batch_size']):
        enc_ = [tokenizer(p, CLIP_TOKENS) for p in batch]
        out = model(torch.tensor([e[0] for e in enc_]))
        seqs.append(out.hidden_states[-2].cpu())
        pooled.append(out.pooled.cpu())
        embeds.append(None if out.text_embeds is None else out.text_embeds.cpu())
        masks.append(torch.tensor([e[1] for e in enc_], dtype=torch.float32))
        log(f'{enc}: {i + len(batch)}/{len(prompts)} prompts')
    del model
    cat = lambda xs: None if xs[0] is None else torch.cat(xs)  # noqa: E731
    return torch.cat(seqs), torch.cat(pooled), cat(embeds), torch.cat(masks)


def _run_t5(root: str, enc: str, tok: str, prompts, opts, log: Log):
    """(last_hidden_state, mask) over every prompt, as *._get_t5_prompt_embeds (no attention mask passed)."""
    tokenizer = T5Tokenizer(os.path.join(root, tok))
    model = T5Encoder(os.path.join(root, enc), opts['device'], opts['dtype'])
    log(f'{enc}: T5 encoder, {len(model.blocks)} blocks, width {model.d_model}, {opts["max_len"]} tokens')
    seqs, masks = [], []
    for i, batch in _batches(prompts, opts['batch_size']):
        enc_ = [tokenizer(p, opts['max_len']) for p in batch]
        seqs.append(model(torch.tensor([e[0] for e in enc_])).cpu())
        masks.append(torch.tensor([e[1] for e in enc_], dtype=torch.float32))
        log(f'{enc}: {i + len(batch)}/{len(prompts)} prompts')
    del model
    return torch.cat(seqs), torch.cat(masks)


def encode_sd3(root: str, prompts: List[str], opts, log: Log) -> Table:
    """StableDiffusion3Pipeline.encode_prompt (prompt_2 = prompt_3 = prompt, clip_skip None): each CLIP's
    hidden_states[-2] side by side (768 + 1280), zero-padded to T5's width, followed along the sequence by
    T5's last_hidden_state; pooled = concat(text_embeds of CLIP-L, of CLIP-G)."""
    l_seq, _, l_proj, l_mask = _run_clip(root, 'text_encoder', 'tokenizer', prompts, opts, log)
    g_seq, _, g_proj, _ = _run_clip(root, 'text_encoder_2', 'tokenizer_2', prompts, opts, log)
    if l_proj is None or g_proj is None:
        raise EncoderError(f'{root}: SD3 takes CLIPTextModelWithProjection encoders; text_encoder/ or text_encoder_2/ has no text_projection.weight')
    if opts.get('without_t5'):  # _get_t5_prompt_embeds with text_encoder_3=None: zeros, 77 x joint_attention_dim
        joint = (teacher_widths(root) or {}).get('joint_attention_dim')
        if joint is None:
            raise EncoderError(f'{root}/transformer/config.json: --without-t5 takes the zeros\' width from its joint_attention_dim, and there is none')
        t5_seq, t5_mask = torch.zeros(len(prompts), CLIP_TOKENS, joint), torch.zeros(len(prompts), CLIP_TOKENS)
        log(f'text_encoder_3: none (--without-t5): {CLIP_TOKENS} zero rows of width {joint}, as the pipeline without T5')
    else:
        t5_seq, t5_mask = _run_t5(root, 'text_encoder_3', 'tokenizer_3', prompts, opts, log)
    clip = torch.cat([l_seq, g_seq], dim=-1)
    if clip.shape[-1] > t5_seq.shape[-1]:
        raise EncoderError(f'{root}: the CLIP widths ({l_seq.shape[-1]} + {g_seq.shape[-1]}) exceed T5 width {t5_seq.shape[-1]}')
    clip = F.pad(clip, (0, t5_seq.shape[-1] - clip.shape[-1]))
    t5 = 'no T5 (zeros)' if opts.get('without_t5') else 'T5 (text_encoder_3)'
    return Table(torch.cat([clip, t5_seq], dim=-2), torch.cat([l_mask, t5_mask], dim=-1), torch.cat([l_proj, g_proj], dim=-1),
                 f'CLIP-L (text_encoder) + CLIP-G (text_encoder_2) hidden_states[-2], {t5}; StableDiffusion3Pipeline.encode_prompt')


def encode_flux(root: str, prompts: List[str], opts, log: Log) -> Table:
    """FluxPipeline.encode_prompt (prompt_2 = prompt): prompt_embeds = T5's last_hidden_state, pooled =
    CLIPTextModel's pooler_output (final-normed EOS state, no projection)."""
    _, pooled, _, _ = _run_clip(root, 'text_encoder', 'tokenizer', prompts, opts, log)
    t5_seq, t5_mask = _run_t5(root, 'text_encoder_2', 'tokenizer_2', prompts, opts, log)
    return Table(t5_seq, t5_mask, pooled, 'CLIP-L pooler_output (text_encoder), T5 (text_encoder_2); FluxPipeline.encode_prompt')


FAMILIES: Dict[str, Family] = {
    'sd3': Family(256, ['text_encoder', 'tokenizer', 'text_encoder_2', 'tokenizer_2', 'text_encoder_3', 'tokenizer_3'], encode_sd3),
    'flux': Family(512, ['text_encoder', 'tokenizer', 'text_encoder_2', 'tokenizer_2'], encode_flux),
}
# the pipeline or transformer class names of diffusers' model_index.json / transformer/config.json
CLASS_FAMILY = {'StableDiffusion3Pipeline': 'sd3', 'SD3Transformer2DModel': 'sd3', 'FluxPipeline': 'flux', 'FluxTransformer2DModel': 'flux',
                'SanaPipeline': 'sana', 'SanaSprintPipeline': 'sana', 'SanaTransformer2DModel': 'sana'}
SANA_REFUSAL = ('SANA is not supported yet: encode-prompts lacks its Gemma-2 text model (Gemma2Model), the Gemma tokenizer and '
                "SanaPipeline.encode_prompt's caption cleaning and complex human instruction; encode with diffusers (docs/text-encodings.md)")


def _class_name(path: str) -> Optional[str]:
    try:
        with open(path, encoding='utf8') as f:
            return json.load(f).get('_class_name')
    except (OSError, json.JSONDecodeError, AttributeError):
        return None


def detect_family(root: str) -> str:
    """From model_index.json's pipeline class, else transformer/config.json's model class."""
    if not os.path.isdir(root):
        raise EncoderError(f'{root}: no such checkpoint folder; give the diffusers model folder (model_index.json, text_encoder/, tokenizer/, ...)')
    for f in ('model_index.json', os.path.join('transformer', 'config.json')):
        name = _class_name(os.path.join(root, f))
        if name in CLASS_FAMILY:
            return CLASS_FAMILY[name]
        if name:
            raise EncoderError(f"{os.path.join(root, f)}: unknown _class_name '{name}'; encode-prompts knows "
                               f"{', '.join(sorted(set(CLASS_FAMILY)))}; or pass --family sd3|flux")
    raise EncoderError(f'{root}: neither model_index.json nor transformer/config.json names the pipeline; pass --family sd3|flux')


def teacher_widths(root: str) -> Optional[Dict[str, int]]:
    """joint_attention_dim / pooled_projection_dim of transformer/config.json, when there is one."""
    try:
        with open(os.path.join(root, 'transformer', 'config.json'), encoding='utf8') as f:
            c = json.load(f)
        return {k: int(c[k]) for k in ('joint_attention_dim', 'pooled_projection_dim') if k in c}
    except (OSError, json.JSONDecodeError, ValueError, TypeError):
        return None
