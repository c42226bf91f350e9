// The torch engine as a child process (docs/engines.md): finds a Python that has torch (env SIDC_PYTHON,
// then /usr/bin/python3, then python3 on PATH), runs `python -m sidc_torch run --graph G --run-dir D` with
// PYTHONPATH=runtime/torch, renders its JSON-line progress like the tfjs engine's, forwards Ctrl-C /
// SIGTERM (the child finishes its step, writes a checkpoint and exits 130) and returns its exit code.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIO } from '../../common/io.js';
import { lines, progressRenderer } from './child-output.js';

/** runtime/torch of the source tree (dist/runtime/torch/launch.js -> <root>/runtime/torch). */
export function torchPackageDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, '..', '..', '..', 'runtime', 'torch'), here];
  return candidates.find((d) => existsSync(join(d, 'sidc_torch', '__main__.py'))) ?? candidates[0]!;
}

export interface TorchInfo {
  python: string;
  python_version: string;
  torch: string;
  cuda: string | null;
  devices: string[];
  bf16: { cpu: boolean; cuda: boolean };
  fp16: { cpu: boolean; cuda: boolean };
  distributed: { gloo: boolean; nccl: boolean };
  threads: number;
  /** the sentencepiece version (sidc encode-prompts' T5 tokenizer), null when absent */
  sentencepiece?: string | null;
}

export interface PythonProbe {
  found: TorchInfo | null;
  /** every candidate tried and why it was not taken */
  tried: string[];
}

function onPath(cmd: string): string | null {
  for (const d of (process.env.PATH ?? '').split(delimiter)) if (d && existsSync(join(d, cmd))) return join(d, cmd);
  return null;
}

export function childEnv(): NodeJS.ProcessEnv {
  const pkg = torchPackageDir();
  const pp = process.env.PYTHONPATH;
  return { ...process.env, PYTHONPATH: pp ? `${pkg}${delimiter}${pp}` : pkg, PYTHONUNBUFFERED: '1' };
}

/** The first Python candidate that imports torch, with what it reports (sidc_torch doctor). */
export function findTorchPython(): PythonProbe {
  // an explicit SIDC_PYTHON is the only candidate: a python picked by the user never silently falls back
  const cands: [string, string][] = [];
  if (process.env.SIDC_PYTHON) cands.push([process.env.SIDC_PYTHON, 'SIDC_PYTHON']);
  else {
    cands.push(['/usr/bin/python3', 'system']);
    const p = onPath('python3');
    if (p && p !== '/usr/bin/python3') cands.push([p, 'PATH']);
  }
  const tried: string[] = [];
  for (const [py, why] of cands) {
    if (!existsSync(py) && why !== 'SIDC_PYTHON') continue;
    const r = spawnSync(py, ['-m', 'sidc_torch', 'doctor'], { env: childEnv(), encoding: 'utf8', timeout: 60000 });
    if (r.error) {
      tried.push(`${py} (${why}): cannot start (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`);
      continue;
    }
    if (r.status !== 0) {
      const last = (r.stderr || '').trim().split('\n').pop() ?? '';
      tried.push(
        `${py} (${why}): ${/No module named 'torch'|No module named 'numpy'/.test(r.stderr) ? last.replace(/^.*Error: /, '') : `exit ${r.status}: ${last}`}`,
      );
      continue;
    }
    try {
      return { found: JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchInfo, tried };
    } catch {
      tried.push(`${py} (${why}): unreadable doctor output`);
    }
  }
  return { found: null, tried };
}

export const INSTALL_HINT =
  'install PyTorch for a Python 3: `apt-get install python3-torch python3-numpy` (Debian/Ubuntu) or `pip install torch numpy`, or point SIDC_PYTHON at a python that has it';

export interface TorchRunOptions {
  io: CliIO;
  python: string;
  graphFile: string;
  runDir: string;
  device?: string;
  verbose?: boolean;
  /** tests: stop as a crash would after N iterations */
  stopAfterIterations?: number;
  /** after each monitor evaluation the child reports */
  onMonitor?: () => void;
}

/** Runs the child to completion; resolves to its exit code (130 after Ctrl-C with a checkpoint written). */
export function runTorchChild(o: TorchRunOptions): Promise<number> {
  const args = ['-m', 'sidc_torch', 'run', '--graph', o.graphFile, '--run-dir', o.runDir, '--device', o.device ?? 'cpu'];
  if (o.verbose) args.push('--verbose');
  if (o.stopAfterIterations !== undefined) args.push('--stop-after-iterations', String(o.stopAfterIterations));
  // own process group: a terminal's Ctrl-C reaches the child once, through us
  const child = spawn(o.python, args, { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  lines(child.stdout, progressRenderer(o.io, o.onMonitor));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => o.io.stderr(d));
  const forward = (sig: NodeJS.Signals) => () => {
    if (child.exitCode === null) child.kill(sig);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => {
    child.on('error', (err) => {
      o.io.stderr(`sidc: cannot start ${o.python}: ${err.message}\n`);
      resolve(2);
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}
