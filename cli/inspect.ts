// sidc inspect PATH: family, config, parameter count, dtypes, memory plan and key check of a diffusers
//   checkpoint - headers only, nothing is loaded; or the summary of one .safetensors file.
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../common/errors.js';
import type { CliIO } from '../common/io.js';
import type { CommandModule } from './command.js';
import { formatBytes, formatCount, formatSummary, summarizeSafetensors } from '../runtime/formats/safetensors-summary.js';
import { readSafetensorsHeader } from '../runtime/formats/safetensors.js';
import { hiddenOf } from '../runtime/tfjs/families/config.js';
import { compareKeys, inspectCheckpoint, planMemory } from '../runtime/tfjs/families/load.js';
import { expectedShapes, familyModule, paramCount } from '../runtime/tfjs/families/index.js';
import { SID_WEIGHT_COPIES } from '../runtime/tfjs/families/teacher.js';

function inspectReport(dir: string): { text: string; ok: boolean } {
  const info = inspectCheckpoint(dir);
  const c = info.config;
  const lines = [`${info.dir}: ${c.family} (${info.source})`, 'config:'];
  for (const [k, v] of Object.entries(c)) if (k !== 'family') lines.push(`  ${k} = ${JSON.stringify(v)}`);
  lines.push(`hidden width D: ${hiddenOf(c)}; latent channels: ${familyModule(c).latentChannels(c)}; text: ${JSON.stringify(familyModule(c).textDims(c))}`);
  lines.push(
    `parameters: ${formatCount(info.params)} (${info.params}) in ${Object.keys(info.tensors).length} tensors; the config implies ${formatCount(paramCount(c))}`,
  );
  lines.push(
    `stored: ${Object.entries(info.bytesByDtype)
      .map(([d, b]) => `${d} ${formatBytes(b)}`)
      .join(', ')}`,
  );
  for (const [what, copies] of [
    ['forward', 1],
    ['SiD training (phi, psi, G + saved copies and gradients of a pass)', SID_WEIGHT_COPIES],
  ] as const) {
    for (const backend of ['wasm', 'tensorflow']) {
      const p = planMemory(info.f32Bytes, backend, copies);
      lines.push(`memory, ${what}, ${backend}: ${formatBytes(p.needBytes)} float32 of ${formatBytes(p.limitBytes)} -> ${p.fits ? 'fits' : 'does NOT fit'}`);
    }
  }
  const pr = compareKeys(expectedShapes(c), info.tensors);
  const ok = !pr.missing.length && !pr.unexpected.length && !pr.misshaped.length;
  if (ok) lines.push('keys: every parameter present with the expected shape');
  else {
    lines.push(`keys: ${pr.missing.length} missing, ${pr.unexpected.length} unexpected, ${pr.misshaped.length} mis-shaped`);
    for (const n of pr.missing) lines.push(`  missing    ${n} [${expectedShapes(c)[n]!.join(', ')}]`);
    for (const n of pr.unexpected) lines.push(`  unexpected ${n} [${info.tensors[n]!.shape.join(', ')}]`);
    for (const m of pr.misshaped) lines.push(`  mis-shaped ${m.name}: expected [${m.expected.join(', ')}], found [${m.found.join(', ')}]`);
  }
  return { text: lines.join('\n') + '\n', ok };
}

export const inspectCommand: CommandModule = {
  register(program: Command, io: CliIO, setExitCode) {
    program
      .command('inspect')
      .description('describe a diffusers checkpoint (family, config, parameters, dtypes, memory) or a .safetensors file, reading headers only')
      .argument('<path>', 'model folder (with transformer/), transformer folder, or a .safetensors file')
      .action((path: string) => {
        let isFile = false;
        try {
          isFile = statSync(path).isFile();
        } catch {
          throw new UserError(`${path}: no such file or directory`);
        }
        if (isFile) {
          io.stdout(formatSummary(summarizeSafetensors(readSafetensorsHeader(path))));
          return;
        }
        const r = inspectReport(path);
        io.stdout(r.text);
        if (!r.ok) setExitCode(1);
      });
  },
};
