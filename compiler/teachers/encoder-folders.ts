// The folders of a diffusers checkpoint that hold each paper family's text encoders and tokenizers: what
// `data.text = encoder` and `sidc encode-prompts` read (the torch engine's encoders/pipelines.py, FAMILIES).
// `sidc check` (compiler/check/files.ts) and `sidc run`'s preflight (cli/preflight.ts) name the missing ones.

export type EncoderFamily = 'sana' | 'sd3' | 'flux';

export const ENCODER_FOLDERS: Readonly<Record<EncoderFamily, readonly string[]>> = {
  sd3: ['text_encoder', 'tokenizer', 'text_encoder_2', 'tokenizer_2', 'text_encoder_3', 'tokenizer_3'],
  flux: ['text_encoder', 'tokenizer', 'text_encoder_2', 'tokenizer_2'],
  sana: ['text_encoder', 'tokenizer'],
};
