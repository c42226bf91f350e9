// The torch engine writes its sample sets as .npy (samples/<label>.npy [n, dim] + <label>.labels.npy);
// the launcher draws them as the tfjs runner does (runtime/rundir/plots.ts scatterClasses), so both engines
// leave the same PNGs in samples/.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionGraph } from '../../compiler/graph/types.js';
import { readNpy, readNpyFloat32 } from '../formats/npy.js';
import { scatterClasses } from '../rundir/plots.js';
import { gmmOf, isVectorFamily, teacherFamily } from '../tfjs/loop/teacher-spec.js';
import { configValue, num } from '../tfjs/loop/config.js';

/** Draws every samples/*.npy that has labels and no PNG yet; returns how many were drawn. */
export function drawTorchSamples(samplesDir: string, graph: ExecutionGraph): number {
  if (!existsSync(samplesDir) || !isVectorFamily(teacherFamily(graph))) return 0;
  const gmm = gmmOf(graph);
  const steps = num(configValue(graph, 'generator.steps'), 4);
  let drawn = 0;
  for (const f of readdirSync(samplesDir).sort()) {
    if (!f.endsWith('.npy') || f.endsWith('.labels.npy')) continue;
    const label = f.slice(0, -4);
    const png = join(samplesDir, `${label}.png`);
    const labels = join(samplesDir, `${label}.labels.npy`);
    if (existsSync(png) || !existsSync(labels)) continue;
    const x = readNpyFloat32(join(samplesDir, f));
    const c = readNpy(labels).data;
    const dim = x.shape[1] ?? 1;
    if (dim < 2) continue;
    const training = /^(.*)-(\d{8})$/.exec(label);
    const title = training ? `${training[1]}: ${steps}-step student, ${Number(training[2])} images` : label.replace(/^eval-/, '').replace(/_/g, ' ');
    scatterClasses(png, { x: x.data, c, dim }, { title, means: gmm.means, modesPerClass: gmm.modesPerClass, lim: gmm.radius * 1.4 });
    drawn++;
  }
  return drawn;
}
