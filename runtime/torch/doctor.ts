// `sidc doctor`'s torch-engine lines: which Python, torch version, devices, bf16, distributed backends,
// or what to install.
import { findTorchPython, INSTALL_HINT } from './launch.js';
import { SENTENCEPIECE_HINT } from './encode-prompts.js';

export function torchDoctorLines(): [string, string][] {
  const probe = findTorchPython();
  const f = probe.found;
  if (!f)
    return [
      ['engine torch', `not available: ${probe.tried.join('; ') || 'no python3 found'}`],
      ['  install', INSTALL_HINT],
    ];
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  return [
    ['engine torch', `torch ${f.torch} (python ${f.python_version}, ${f.python})`],
    ['  devices', f.devices.join(', ') + (f.cuda ? ` (CUDA ${f.cuda})` : '')],
    ['  bf16', `cpu ${yes(f.bf16.cpu)}, cuda ${yes(f.bf16.cuda)}`],
    ['  fp16', `cpu no, cuda ${yes(f.fp16.cuda)}`],
    ['  distributed', `gloo ${yes(f.distributed.gloo)}, nccl ${yes(f.distributed.nccl)}`],
    ['  threads', String(f.threads)],
    [
      '  sentencepiece',
      f.sentencepiece
        ? `${f.sentencepiece} (sidc encode-prompts: the T5 and Gemma tokenizers)`
        : `missing: sidc encode-prompts cannot tokenize for T5; ${SENTENCEPIECE_HINT}`,
    ],
  ];
}
