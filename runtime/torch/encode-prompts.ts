// `sidc encode-prompts` on the torch engine: finds the Python with torch (launch.ts), checks it has
// sentencepiece (the T5 and Gemma tokenizers), then runs `python -m sidc_torch encode-prompts ...` as a child whose
// progress lines and one-line errors go to stderr as they come; resolves to its exit code.
import { spawn, spawnSync } from 'node:child_process';
import { UserError } from '../../common/errors.js';
import type { CliIO } from '../../common/io.js';
import { childEnv, findTorchPython, INSTALL_HINT, type TorchInfo } from './launch.js';

export const SENTENCEPIECE_HINT = 'install sentencepiece: `apt-get install python3-sentencepiece` (Debian/Ubuntu) or `pip install sentencepiece`';

export interface EncodePromptsArgs {
  checkpoint: string;
  prompts: string;
  out: string;
  family?: string;
  maxSequenceLength?: number;
  batchSize?: number;
  device?: string;
  dtype?: string;
  /** sd3: zeros in place of T5 (the pipeline with text_encoder_3=None) */
  withoutT5?: boolean;
  /** sana: no complex human instruction (SanaPipeline with complex_human_instruction=None) */
  noInstruction?: boolean;
  verbose?: boolean;
}

/** The Python that can run the encoders (torch and sentencepiece), or a one-line UserError saying what to install. */
export function requireEncoderPython(): TorchInfo {
  const probe = findTorchPython();
  if (!probe.found) {
    const why = probe.tried.length ? ` (${probe.tried.join('; ')})` : ' (no python3 found)';
    throw new UserError(`sidc encode-prompts runs the text encoders on PyTorch and needs Python with torch${why}; ${INSTALL_HINT}`);
  }
  if (!probe.found.sentencepiece)
    throw new UserError(`sidc encode-prompts: ${probe.found.python} has no sentencepiece module (the T5 and Gemma tokenizers); ${SENTENCEPIECE_HINT}`);
  return probe.found;
}

export function encodePromptsArgv(a: EncodePromptsArgs): string[] {
  const argv = ['-m', 'sidc_torch', 'encode-prompts', a.checkpoint, a.prompts, '-o', a.out];
  if (a.family) argv.push('--family', a.family);
  if (a.maxSequenceLength !== undefined) argv.push('--max-sequence-length', String(a.maxSequenceLength));
  if (a.batchSize !== undefined) argv.push('--batch-size', String(a.batchSize));
  if (a.device) argv.push('--device', a.device);
  if (a.dtype) argv.push('--dtype', a.dtype);
  if (a.withoutT5) argv.push('--without-t5');
  if (a.noInstruction) argv.push('--no-instruction');
  if (a.verbose) argv.push('--verbose');
  return argv;
}

export function runEncodePrompts(io: CliIO, python: string, a: EncodePromptsArgs): Promise<number> {
  // own process group, as the run child: a terminal's Ctrl-C reaches it once, through us
  const child = spawn(python, encodePromptsArgv(a), { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => io.stdout(d));
  child.stderr.setEncoding('utf8');
  // the child's errors read `sidc-torch: encode-prompts: MESSAGE`: shown as the CLI's own `sidc: MESSAGE`
  child.stderr.on('data', (d: string) => io.stderr(d.replace(/^sidc-torch: encode-prompts: /gm, 'sidc: ')));
  const onInt = (): void => void (child.exitCode === null && child.kill('SIGINT'));
  process.on('SIGINT', onInt);
  return new Promise((resolve) => {
    child.on('error', (err) => {
      io.stderr(`sidc: cannot start ${python}: ${err.message}\n`);
      resolve(2);
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}

/** `python -m sidc_torch make-tiny-encoders DIR --family F`: tiny random encoders + tokenizers beside a tiny teacher. */
export function writeTinyEncoders(python: string, dir: string, family: string, seed: number): void {
  const r = spawnSync(python, ['-m', 'sidc_torch', 'make-tiny-encoders', dir, '--family', family, '--seed', String(seed)], {
    env: childEnv(),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new UserError(`make-tiny --encoders: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
}
