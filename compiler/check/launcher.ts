// Checks of the launcher section (`--launcher slurm`, docs/cluster.md) that sbatch would otherwise
// reject only after the job waited in the queue, or that would start a run on the wrong number of GPUs.
import { diag } from '../diagnostics/make.js';
import type { CheckContext } from './context.js';

/** Slurm's time formats: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS (sbatch(1), --time). */
export const SLURM_TIME = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2})$/;

function time(c: CheckContext): void {
  const t = c.str('launcher.time');
  if (t === undefined || SLURM_TIME.test(t) || ['infinite', 'unlimited'].includes(t.toLowerCase())) return;
  const p = c.place('launcher.time');
  c.out.push(diag('SID3033', p.loc, { value: t }, { related: p.related }));
}

/** launcher.nodes x gpus_per_node = the GPUs hardware.devices declares (what plan and batch.global assume). */
function gpus(c: CheckContext): void {
  const dev = c.obj('hardware.devices');
  if (!dev || typeof dev.count !== 'number') return;
  const nodes = c.num('launcher.nodes') ?? 1;
  const perNode = c.num('launcher.gpus_per_node');
  const kind = String(dev.kind);
  const decl = `hardware.devices = ${dev.count} x ${kind}`;
  const report = (path: string, detail: string, example: string) => {
    const p = c.place(path, c.place('hardware.devices').loc);
    c.out.push(diag('SID3034', p.loc, { detail, example }, { related: p.related }));
  };
  if (kind !== 'gpu') {
    if (perNode !== undefined && perNode > 0)
      report(
        'launcher.gpus_per_node',
        `launcher.gpus_per_node = ${perNode} but ${decl}`,
        'declare the GPUs (`hardware.devices = N x gpu(80 GB)`) or remove launcher.gpus_per_node',
      );
    else if (dev.count % nodes !== 0)
      report('launcher.nodes', `${decl} cannot be spread evenly over launcher.nodes = ${nodes}`, `make launcher.nodes divide ${dev.count}`);
    return;
  }
  if (perNode === undefined) {
    if (dev.count % nodes !== 0)
      report(
        'launcher.nodes',
        `${decl} cannot be spread evenly over launcher.nodes = ${nodes}`,
        `make launcher.nodes divide ${dev.count}, or set launcher.gpus_per_node`,
      );
    return;
  }
  if (nodes * perNode !== dev.count) {
    report(
      'launcher.gpus_per_node',
      `launcher.nodes x launcher.gpus_per_node = ${nodes} x ${perNode} = ${nodes * perNode} GPUs but ${decl}`,
      `make them agree, e.g. \`launcher.gpus_per_node = ${dev.count % nodes === 0 ? dev.count / nodes : dev.count}\`${dev.count % nodes === 0 ? '' : ' with launcher.nodes = 1'}`,
    );
  }
}

/** Extra sbatch lines are options; the array, output and job name are the launcher's own. */
function sbatchLines(c: CheckContext): void {
  const lines = c.get('launcher.sbatch');
  if (!Array.isArray(lines)) return;
  const owned = ['--array', '-a', '--output', '-o', '--error', '-e', '--job-name', '-J', '--open-mode'];
  for (const l of lines) {
    const s = String(l);
    const opt = s.split(/[=\s]/)[0]!;
    const problem = !s.startsWith('-')
      ? 'is not an sbatch option (it must start with - or --)'
      : /[\n\r]/.test(s)
        ? 'spans several lines'
        : owned.includes(opt)
          ? `sets ${opt}, which the launcher writes itself`
          : undefined;
    if (!problem) continue;
    const p = c.place('launcher.sbatch');
    c.out.push(diag('SID3035', p.loc, { line: JSON.stringify(s), problem }, { related: p.related }));
  }
}

export const LAUNCHER_RULES: readonly ((c: CheckContext) => void)[] = [time, gpus, sbatchLines];
