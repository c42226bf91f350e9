#!/usr/bin/env python3
"""`sidc encode-prompts` against the diffusers pipelines' own encode_prompt, where diffusers and transformers are
installed: for a diffusers folder with text encoders (`sidc make-tiny FAMILY DIR --encoders`) and a prompt file,
the table sidc writes is compared row by row with StableDiffusion3Pipeline / FluxPipeline / SanaPipeline
.encode_prompt run on transformers' encoders and tokenizers loaded from the same folders:
  SD3  - prompt_embeds (both CLIPs' penultimate states side by side, zero-padded, then T5) and pooled;
  FLUX - T5's prompt_embeds and CLIP-L's pooled output;
  SANA - Gemma-2's prompt_embeds and attention mask with the complex human instruction, and the empty prompt's
         row as the pipeline's negative prompt (do_classifier_free_guidance=True).
The pipelines are built with only their text components (transformer, VAE and scheduler None).

usage: PYTHONPATH=runtime/torch python3 scripts/reference/pipelines_check.py FAMILY DIR PROMPTS.txt > result.json
On an older torch than diffusers / transformers want, scripts/reference/torch2_shim.py is imported first.
"""
import json
import os
import sys
import tempfile

import torch

from sidc_torch.encoders.encode_prompts import encode_prompts, read_prompts
from sidc_torch.formats.safetensors import read, read_checkpoint

if tuple(int(x) for x in torch.__version__.split('.')[:2]) < (2, 5):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch2_shim
    torch2_shim.for_transformers()
    import transformers
    torch2_shim.after_transformers_import()
import diffusers  # noqa: E402
import transformers  # noqa: E402,F811


def model(cls_name: str, folder: str):
    """A transformers model from the folder's config.json and its (single or sharded) safetensors, in float32."""
    cfg = transformers.AutoConfig.from_pretrained(folder)
    cfg._attn_implementation = 'eager'
    m = getattr(transformers, cls_name)(cfg).eval()
    sd = {k: v.float() for k, v in read_checkpoint(folder)[0].items()}
    if not any(k.startswith('text_model.') for k in m.state_dict()):  # transformers 5's CLIP text models have no text_model. prefix
        sd = {k.removeprefix('text_model.'): v for k, v in sd.items()}
    missing, unexpected = m.load_state_dict(sd, strict=False)
    if missing or unexpected:
        raise SystemExit(f'{folder}: state dict mismatch: missing {missing[:3]}, unexpected {unexpected[:3]}')
    return m


def tok(root: str, name: str):
    return transformers.AutoTokenizer.from_pretrained(os.path.join(root, name))


def diff(a, b) -> float:
    return float((a.float() - b.float()).abs().max())


def main(family: str, root: str, prompts_file: str) -> dict:
    out = tempfile.mkdtemp(prefix='sidc-pipelines-')
    table, _ = read(encode_prompts(root, prompts_file, out, family=family, log=lambda s: None))
    prompts = read_prompts(prompts_file)
    users = prompts[1:]  # row 0 is the empty prompt, the CFG null condition
    enc = lambda name, cls: model(cls, os.path.join(root, name))  # noqa: E731
    res = {'family': family, 'rows': len(prompts), 'diffusers': diffusers.__version__, 'transformers': transformers.__version__}
    with torch.no_grad():
        if family == 'flux':
            pipe = diffusers.FluxPipeline(scheduler=None, vae=None, transformer=None, text_encoder=enc('text_encoder', 'CLIPTextModel'),
                                          tokenizer=tok(root, 'tokenizer'), text_encoder_2=enc('text_encoder_2', 'T5EncoderModel'),
                                          tokenizer_2=tok(root, 'tokenizer_2'))
            seq, pooled, _ = pipe.encode_prompt(prompts, device='cpu', max_sequence_length=512)
            res['prompt_embeds'], res['pooled_prompt_embeds'] = diff(table['prompt_embeds'], seq), diff(table['pooled_prompt_embeds'], pooled)
        elif family == 'sd3':
            pipe = diffusers.StableDiffusion3Pipeline(
                scheduler=None, vae=None, transformer=None,
                text_encoder=enc('text_encoder', 'CLIPTextModelWithProjection'), tokenizer=tok(root, 'tokenizer'),
                text_encoder_2=enc('text_encoder_2', 'CLIPTextModelWithProjection'), tokenizer_2=tok(root, 'tokenizer_2'),
                text_encoder_3=enc('text_encoder_3', 'T5EncoderModel'), tokenizer_3=tok(root, 'tokenizer_3'))
            seq, _, pooled, _ = pipe.encode_prompt(prompts, None, None, device='cpu', do_classifier_free_guidance=False, max_sequence_length=256)
            res['prompt_embeds'], res['pooled_prompt_embeds'] = diff(table['prompt_embeds'], seq), diff(table['pooled_prompt_embeds'], pooled)
        else:
            pipe = diffusers.SanaPipeline(tokenizer=tok(root, 'tokenizer'), text_encoder=enc('text_encoder', 'Gemma2Model'), vae=None,
                                          transformer=None, scheduler=None)
            chi = _default_instruction()  # the pipeline's own text, not sidc's copy of it
            seq, mask, neg, neg_mask = pipe.encode_prompt(users, do_classifier_free_guidance=True, negative_prompt='', device='cpu',
                                                          max_sequence_length=300, complex_human_instruction=chi)
            res['prompt_embeds'] = diff(table['prompt_embeds'][1:], seq)
            res['prompt_attention_mask'] = diff(table['prompt_attention_mask'][1:], mask)
            res['empty_prompt_embeds'] = diff(table['prompt_embeds'][:1], neg[:1])
            res['empty_prompt_attention_mask'] = diff(table['prompt_attention_mask'][:1], neg_mask[:1])
    res['max_abs'] = float(table['prompt_embeds'].abs().max())
    return res


def _default_instruction():
    """SanaPipeline.__call__'s default complex_human_instruction, read from its signature."""
    import inspect
    return inspect.signature(diffusers.SanaPipeline.__call__).parameters['complex_human_instruction'].default


if __name__ == '__main__':
    print(json.dumps(main(*sys.argv[1:4]), indent=1))
