"""The teachers' own text encoders in plain torch (no transformers): CLIP text models, the T5 encoder, Gemma-2,
their tokenizers, and the SD3 / FLUX / SANA prompt pipelines that turn a prompt file into the text table of
docs/text-encodings.md (`python -m sidc_torch encode-prompts`, behind `sidc encode-prompts`)."""


class EncoderError(Exception):
    """A user mistake or an unusable checkpoint: one line naming the file and the fix."""
