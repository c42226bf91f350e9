"""The prompt pipelines of the diffusers teachers, on this package's encoders: which folders each family
reads and how their outputs become (prompt_embeds, prompt_attention_mask, pooled_prompt_embeds). The
encoders of one checkpoint are held by an ``Encoders``: for `sidc encode-prompts` (keep=False) each is
loaded, run over every prompt in batches and released before the next one is loaded, so only one encoder's
weights are in memory at a time (T5-XXL alone is 4.7B parameters); inside a training run
(``data.text = encoder`` with ``hardware.text_encoders = resident | cpu``, keep=True) all of them stay
loaded and each batch's prompts go through the same code."""
from __future__ import annotations

import json
import os
from typing import Callable, Dict, List, NamedTuple, Optional

import torch
import torch.nn.functional as F

from . import EncoderError
from .clip import ClipText
from .clip_tokenizer import ClipTokenizer
from .gemma2 import Gemma2Text
from .gemma_tokenizer import GemmaTokenizer
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


class Encoders:
    """The text encoders and tokenizers of one checkpoint folder, each loaded when first asked for.
    ``opts``: device, dtype, batch_size, max_len (T5 / Gemma tokens), without_t5, no_instruction.
    keep=False: a model is not held after the pass that loaded it (one encoder in memory at a time);
    keep=True: every model stays loaded for the next call. Tokenizers are small and always kept.
    ``log`` hears each model's loading; ``progress`` (``log`` when not given) each batch done."""

    def __init__(self, root: str, opts: Dict, log: Log, keep: bool = False, progress: Optional[Log] = None):
        self.root, self.opts, self.log, self.keep = root, opts, log, keep
        self.progress = progress or log
        self._models: Dict[str, torch.nn.Module] = {}
        self._tokenizers: Dict[str, object] = {}

    def model(self, folder: str, cls, describe: Callable[[torch.nn.Module], str]):
        m = self._models.get(folder)
        if m is None:
            m = cls(os.path.join(self.root, folder), self.opts['device'], self.opts['dtype'])
            self.log(f'{folder}: {describe(m)}')
            if self.keep:
                self._models[folder] = m
        return m

    def tokenizer(self, folder: str, cls):
        if folder not in self._tokenizers:
            self._tokenizers[folder] = cls(os.path.join(self.root, folder))
        return self._tokenizers[folder]


def _batches(prompts: List[str], size: int):
    for i in range(0, len(prompts), size):
        yield i, prompts[i:i + size]


def _run_clip(encs: Encoders, enc: str, tok: str, prompts):
    """[(hidden_states[-2], pooled, text_embeds, mask)] over every prompt, as *._get_clip_prompt_embeds."""
    tokenizer = encs.tokenizer(tok, ClipTokenizer)
    model = encs.model(enc, ClipText, lambda m: f'CLIP text model, {m.layers} layers, width {m.width}, projection {m.projection_dim}')
    seqs, pooled, embeds, masks = [], [], [], []
    for i, batch in _batches(prompts, encs.opts['batch_size']):
        enc_ = [tokenizer(p, CLIP_TOKENS) for p in batch]
        out = model(torch.tensor([e[0] for e in enc_]))
        seqs.append(out.hidden_states[-2].cpu())
        pooled.append(out.pooled.cpu())
        embeds.append(None if out.text_embeds is None else out.text_embeds.cpu())
        masks.append(torch.tensor([e[1] for e in enc_], dtype=torch.float32))
        encs.progress(f'{enc}: {i + len(batch)}/{len(prompts)} prompts')
    del model
    cat = lambda xs: None if xs[0] is None else torch.cat(xs)  # noqa: E731
    return torch.cat(seqs), torch.cat(pooled), cat(embeds), torch.cat(masks)


def _run_t5(encs: Encoders, enc: str, tok: str, prompts):
    """(last_hidden_state, mask) over every prompt, as *._get_t5_prompt_embeds (no attention mask passed)."""
    tokenizer = encs.tokenizer(tok, T5Tokenizer)
    max_len = encs.opts['max_len']
    model = encs.model(enc, T5Encoder, lambda m: f'T5 encoder, {len(m.blocks)} blocks, width {m.d_model}, {max_len} tokens')
    seqs, masks = [], []
    for i, batch in _batches(prompts, encs.opts['batch_size']):
        enc_ = [tokenizer(p, max_len) for p in batch]
        seqs.append(model(torch.tensor([e[0] for e in enc_])).cpu())
        masks.append(torch.tensor([e[1] for e in enc_], dtype=torch.float32))
        encs.progress(f'{enc}: {i + len(batch)}/{len(prompts)} prompts')
    del model
    return torch.cat(seqs), torch.cat(masks)


def encode_sd3(encs: Encoders, prompts: List[str]) -> Table:
    """StableDiffusion3Pipeline.encode_prompt (prompt_2 = prompt_3 = prompt, clip_skip None): each CLIP's
    hidden_states[-2] side by side (768 + 1280), zero-padded to T5's width, followed along the sequence by
    T5's last_hidden_state; pooled = concat(text_embeds of CLIP-L, of CLIP-G)."""
    root, opts, log = encs.root, encs.opts, encs.log
    l_seq, _, l_proj, l_mask = _run_clip(encs, 'text_encoder', 'tokenizer', prompts)
    g_seq, _, g_proj, _ = _run_clip(encs, 'text_encoder_2', 'tokenizer_2', prompts)
    if l_proj is None or g_proj is None:
        raise EncoderError(f'{root}: SD3 takes CLIPTextModelWithProjection encoders; text_encoder/ or text_encoder_2/ has no text_projection.weight')
    if opts.get('without_t5'):  # _get_t5_prompt_embeds with text_encoder_3=None: zeros, 77 x joint_attention_dim
        joint = (teacher_widths(root) or {}).get('joint_attention_dim')
        if joint is None:
            raise EncoderError(f'{root}/transformer/config.json: --without-t5 takes the zeros\' width from its joint_attention_dim, and there is none')
        t5_seq, t5_mask = torch.zeros(len(prompts), CLIP_TOKENS, joint), torch.zeros(len(prompts), CLIP_TOKENS)
        log(f'text_encoder_3: none (--without-t5): {CLIP_TOKENS} zero rows of width {joint}, as the pipeline without T5')
    else:
        t5_seq, t5_mask = _run_t5(encs, 'text_encoder_3', 'tokenizer_3', prompts)
    clip = torch.cat([l_seq, g_seq], dim=-1)
    if clip.shape[-1] > t5_seq.shape[-1]:
        raise EncoderError(f'{root}: the CLIP widths ({l_seq.shape[-1]} + {g_seq.shape[-1]}) exceed T5 width {t5_seq.shape[-1]}')
    clip = F.pad(clip, (0, t5_seq.shape[-1] - clip.shape[-1]))
    t5 = 'no T5 (zeros)' if opts.get('without_t5') else 'T5 (text_encoder_3)'
    return Table(torch.cat([clip, t5_seq], dim=-2), torch.cat([l_mask, t5_mask], dim=-1), torch.cat([l_proj, g_proj], dim=-1),
                 f'CLIP-L (text_encoder) + CLIP-G (text_encoder_2) hidden_states[-2], {t5}; StableDiffusion3Pipeline.encode_prompt')


def encode_flux(encs: Encoders, prompts: List[str]) -> Table:
    """FluxPipeline.encode_prompt (prompt_2 = prompt): prompt_embeds = T5's last_hidden_state, pooled =
    CLIPTextModel's pooler_output (final-normed EOS state, no projection)."""
    _, pooled, _, _ = _run_clip(encs, 'text_encoder', 'tokenizer', prompts)
    t5_seq, t5_mask = _run_t5(encs, 'text_encoder_2', 'tokenizer_2', prompts)
    return Table(t5_seq, t5_mask, pooled, 'CLIP-L pooler_output (text_encoder), T5 (text_encoder_2); FluxPipeline.encode_prompt')


# SanaPipeline.__call__'s default complex_human_instruction (diffusers pipelines/sana/pipeline_sana.py), joined by "\n"
COMPLEX_HUMAN_INSTRUCTION = [
    "Given a user prompt, generate an 'Enhanced prompt' that provides detailed visual descriptions suitable for image generation. "
    'Evaluate the level of detail in the user prompt:',
    '- If the prompt is simple, focus on adding specifics about colors, shapes, sizes, textures, and spatial relationships to create vivid and '
    'concrete scenes.',
    '- If the prompt is already detailed, refine and enhance the existing details slightly without overcomplicating.',
    'Here are examples of how to transform or refine prompts:',
    '- User Prompt: A cat sleeping -> Enhanced: A small, fluffy white cat curled up in a round shape, sleeping peacefully on a warm sunny '
    'windowsill, surrounded by pots of blooming red flowers.',
    '- User Prompt: A busy city street -> Enhanced: A bustling city street scene at dusk, featuring glowing street lamps, a diverse crowd of '
    'people in colorful clothing, and a double-decker bus passing by towering glass skyscrapers.',
    'Please generate only the enhanced description for the prompt below and avoid including any additional commentary or evaluations:',
    'User Prompt: ',
]


def sana_text(prompt: str) -> str:
    """SanaPipeline._text_preprocessing with clean_caption=False (its default): the prompt lowercased and stripped,
    before the instruction is prefixed (which keeps its case)."""
    return prompt.lower().strip()


def sana_ids(tokenizer: GemmaTokenizer, prompt: str, max_len: int, instruction: bool):
    """SanaPipeline._get_gemma_prompt_embeds' tokenisation: (ids, mask, select_index). With the instruction the
    prompt is prefixed by it and padded to len(encode(instruction)) + max_len - 2 tokens; encode_prompt then keeps
    select_index = [0] + list(range(-max_len + 1, 0)) of the embeddings and the mask (the identity without)."""
    if not instruction:
        ids, mask = tokenizer(prompt, max_len)
        return ids, mask, list(range(max_len))
    chi = '\n'.join(COMPLEX_HUMAN_INSTRUCTION)
    total = len(tokenizer.encode(chi)) + max_len - 2
    ids, mask = tokenizer(chi + prompt, total)
    return ids, mask, [0] + list(range(total - max_len + 1, total))


def encode_sana(encs: Encoders, prompts: List[str]) -> Table:
    """SanaPipeline.encode_prompt (clean_caption=False: prompts lowercased and stripped; the default complex_human_instruction
    unless --no-instruction): Gemma2Model's last_hidden_state with the padding mask passed, rows select_index; the empty prompt (the CFG null
    condition; a prompt file's blank lines are dropped, so it is only ever that row) as the pipeline's negative
    prompt: without the instruction, max_len tokens. No pooled tensor."""
    opts = encs.opts
    tokenizer = encs.tokenizer('tokenizer', GemmaTokenizer)
    instruction = not opts.get('no_instruction')
    how = 'the complex human instruction prefixed' if instruction else 'no instruction'
    model = encs.model('text_encoder', Gemma2Text, lambda m: f'Gemma-2 text model, {len(m.layers)} layers, width {m.width}, {opts["max_len"]} tokens, {how}')
    rows = [sana_ids(tokenizer, sana_text(p), opts['max_len'], instruction and p != '') for p in prompts]
    seqs, masks = [None] * len(prompts), [None] * len(prompts)
    for i, batch in _batches(list(range(len(prompts))), opts['batch_size']):
        # the empty prompt's row (no instruction) is shorter than the others: each length is its own forward pass,
        # and the outputs go back to their rows' places (a batch in the loop may hold the empty row anywhere)
        for length in sorted({len(rows[r][0]) for r in batch}):
            part = [r for r in batch if len(rows[r][0]) == length]
            m = torch.tensor([rows[r][1] for r in part], dtype=torch.float32)
            keep = rows[part[0]][2]
            out = model(torch.tensor([rows[r][0] for r in part]), m).cpu()[:, keep]
            for j, r in enumerate(part):
                seqs[r], masks[r] = out[j], m[j, keep]
        encs.progress(f'text_encoder: {i + len(batch)}/{len(prompts)} prompts')
    del model
    how = 'complex human instruction' if instruction else 'no instruction (--no-instruction)'
    return Table(torch.stack(seqs), torch.stack(masks), None, f'Gemma-2 (text_encoder) last_hidden_state, {how}; SanaPipeline.encode_prompt')


FAMILIES: Dict[str, Family] = {
    'sd3': Family(256, ['text_encoder', 'tokenizer', 'text_encoder_2', 'tokenizer_2', 'text_encoder_3', 'tokenizer_3'], encode_sd3),
    'flux': Family(512, ['text_encoder', 'tokenizer', 'text_encoder_2', 'tokenizer_2'], encode_flux),
    'sana': Family(300, ['text_encoder', 'tokenizer'], encode_sana),
}
# the pipeline or transformer class names of diffusers' model_index.json / transformer/config.json
CLASS_FAMILY = {'StableDiffusion3Pipeline': 'sd3', 'SD3Transformer2DModel': 'sd3', 'FluxPipeline': 'flux', 'FluxTransformer2DModel': 'flux',
                'SanaPipeline': 'sana', 'SanaSprintPipeline': 'sana', 'SanaTransformer2DModel': 'sana'}

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
                               f"{', '.join(sorted(set(CLASS_FAMILY)))}; or pass --family sd3|flux|sana")
    raise EncoderError(f'{root}: neither model_index.json nor transformer/config.json names the pipeline; pass --family sd3|flux|sana')


def teacher_widths(root: str) -> Optional[Dict[str, int]]:
    """joint_attention_dim / pooled_projection_dim (SANA: caption_channels) of transformer/config.json, when there is one."""
    try:
        with open(os.path.join(root, 'transformer', 'config.json'), encoding='utf8') as f:
            c = json.load(f)
        return {k: int(c[k]) for k in ('joint_attention_dim', 'pooled_projection_dim', 'caption_channels') if k in c}
    except (OSError, json.JSONDecodeError, ValueError, TypeError):
        return None
