// Shared by the encoders tests (sidc encode-prompts and the plain-torch text encoders): the Python that runs
// them - torch, numpy and sentencepiece are required, a missing one fails the test rather than skipping it -
// and tiny teachers with tiny random encoders beside them (`sidc make-tiny FAMILY DIR --encoders`).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../../helpers/paths.js';
import { pythonWith } from '../../helpers/python.js';
import { sidc } from '../../helpers/cli.js';

/** The interpreter with torch, numpy and sentencepiece; also the one `sidc encode-prompts` starts. */
export function encoderPython(): string {
  const py = pythonWith('torch', 'numpy', 'sentencepiece');
  if (!py.found) throw new Error('no python with torch, numpy and sentencepiece: apt-get install python3-torch python3-numpy python3-sentencepiece');
  process.env.SIDC_PYTHON = py.exe;
  return py.exe;
}

export function runPython(script: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(encoderPython(), [repoPath('test', 'runtime', 'torch', script), ...args], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: repoPath('runtime/torch') },
    timeout: 300000,
  });
}

/** A tiny teacher of `family` with tiny encoders and tokenizers in `dir`. */
export async function tinyWithEncoders(family: string, dir: string): Promise<string> {
  encoderPython();
  const r = await sidc('make-tiny', family, dir, '--encoders', '--seed', '3');
  if (r.code !== 0) throw new Error(`sidc make-tiny ${family} --encoders failed: ${r.err}`);
  return dir;
}

export const PROMPTS = ['a red circle', 'Two BLUE squares, next to a green triangle!', "it's 3 o'clock: naïve café 🐱"];

export function promptsFile(dir: string, lines: string[] = PROMPTS): string {
  const file = join(dir, 'prompts.txt');
  writeFileSync(file, `${lines[0]}\n\n${lines.slice(1).join('\n')}\n`);
  return file;
}
