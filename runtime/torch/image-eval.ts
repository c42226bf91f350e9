// `sidc eval RUN --engine torch`: the image run's evaluation on the torch engine (sidc_torch/image_eval.py), the
// same samplers on the same draws as runtime/tfjs/evaluation/image.ts, so the rows are the tfjs rows to float32
// rounding; the CLI prints and writes them as it does the tfjs ones.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { UserError } from '../../common/errors.js';
import type { ImageEvalRow } from '../tfjs/evaluation/image.js';
import { childEnv, type TorchInfo } from './launch.js';

export interface TorchImageEvalOptions {
  teacherSteps: number[];
  studentSteps: number[];
  cfg: number;
  perClass: number;
  seed: number;
  student?: string;
  npyDir?: string;
  device?: string;
}

export function evaluateImageRunOnTorch(info: TorchInfo, run: string, o: TorchImageEvalOptions, verbose = false): ImageEvalRow[] {
  const options = {
    teacherSteps: o.teacherSteps,
    studentSteps: o.studentSteps,
    cfg: o.cfg,
    perClass: o.perClass,
    seed: o.seed,
    ...(o.student ? { student: o.student } : {}),
    ...(o.npyDir ? { npy: o.npyDir } : {}),
  };
  const args = ['-m', 'sidc_torch', 'eval', '--graph', join(run, 'graph.json'), '--run-dir', run, '--options', JSON.stringify(options)];
  if (o.device) args.push('--device', o.device);
  if (verbose) args.push('--verbose');
  const r = spawnSync(info.python, args, { env: childEnv(), encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new UserError(`sidc eval --engine torch failed (exit ${r.status ?? r.signal}); the message above says why`, r.status === 2 ? 2 : 1);
  return JSON.parse(r.stdout) as ImageEvalRow[];
}
