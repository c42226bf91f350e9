// `sidc export` on the torch engine: finds the Python with torch (launch.ts) and runs `python -m sidc_torch
// export --student S --teacher T -o OUT ...` (sidc_torch/export.py) as a child whose one-line errors reach stderr
// as the CLI's own; resolves to its exit code (0: OUT/transformer/ written whole, 2: refused, nothing written).
import { spawn } from 'node:child_process';
import { UserError } from '../../common/errors.js';
import type { CliIO } from '../../common/io.js';
import { childEnv, findTorchPython, INSTALL_HINT } from './launch.js';

export interface ExportArgs {
  student: string;
  teacher: string;
  out: string;
  dtype: string;
  maxShardGb: number;
}

export function exportArgv(a: ExportArgs): string[] {
  return [
    '-m',
    'sidc_torch',
    'export',
    '--student',
    a.student,
    '--teacher',
    a.teacher,
    '-o',
    a.out,
    '--dtype',
    a.dtype,
    '--max-shard-gb',
    String(a.maxShardGb),
  ];
}

export function runExport(io: CliIO, a: ExportArgs): Promise<number> {
  const probe = findTorchPython();
  if (!probe.found) {
    const why = probe.tried.length ? ` (${probe.tried.join('; ')})` : ' (no python3 found)';
    throw new UserError(`sidc export writes the diffusers folder with PyTorch and needs Python with torch${why}; ${INSTALL_HINT}`);
  }
  const python = probe.found.python;
  const child = spawn(python, exportArgv(a), { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => io.stdout(d));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => io.stderr(d.replace(/^sidc-torch: export: /gm, 'sidc: export: ')));
  return new Promise((resolve) => {
    child.on('error', (err) => {
      io.stderr(`sidc: cannot start ${python}: ${err.message}\n`);
      resolve(2);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}
