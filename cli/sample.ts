// sidc sample RUN --steps 4 --n N -o x.npy [--png out.png] [--class c]: draws from a run's student.
// Image (dit) runs: x.npy [n, C, H, W] in [-1, 1] and x.labels.npy [n] (prompt index), --png a grid with a
// row per prompt; vector runs [n, dim] and x.labels.npy [n] (class) (+ a scatter plot); text-family runs
// their latents.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../common/errors.js';
import type { CommandModule } from './command.js';
import type { ExecutionGraph } from '../compiler/graph/types.js';
import { writeNpy } from '../runtime/formats/npy.js';
import { loadNet } from '../runtime/tfjs/loop/checkpoint.js';
import { sampleFamilyStudent } from '../runtime/tfjs/loop/latent-samples.js';
import { isTextFamily } from '../runtime/tfjs/loop/family-stage.js';
import { scatterClasses } from '../runtime/rundir/plots.js';
import { generateK, type NoiseMode } from '../runtime/tfjs/loop/sampling.js';
import { configValue, num } from '../runtime/tfjs/loop/config.js';
import { gmmOf, teacherFamily } from '../runtime/tfjs/loop/teacher-spec.js';
import { FP32 } from '../runtime/tfjs/precision/policy.js';
import { Rng } from '../runtime/rng/prng.js';
import { intFlag, startBackend } from './runtime-common.js';
import { loadDitFile } from '../runtime/tfjs/loop/dit-net.js';
import { drawImages, labelledGridPng } from '../runtime/tfjs/loop/image-samples.js';
import { loadRunStudent } from '../runtime/tfjs/evaluation/image.js';
import { ditTeacher } from '../runtime/tfjs/loop/dit-stage.js';
import { resolveRunRef } from '../runtime/tfjs/loop/snapshots.js';

export const sampleCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('sample')
      .description("draw samples from a run's student generator (eq. 16)")
      .argument('<run>', 'run directory (runs/<recipe>-<hash8>), or RUN@<snapshot> for a snapshot the monitor kept (RUN@best-fid, RUN@last)')
      .option('--steps <k>', 'generation steps', '4')
      .option('--n <count>', 'number of samples', '1000')
      .option('-o, --out <file>', 'output .npy file: [n, dim], or images [n, C, H, W]; the labels go to <out>.labels.npy', 'samples.npy')
      .option('--png <file>', 'also write a picture: a scatter plot (2-D data) or an image grid (a row per prompt)')
      .option('--class <c>', 'condition every sample on this class (default: balanced classes)')
      .option('--seed <s>', 'seed of the noise', '0')
      .action(async (runArg: string, flags: { steps: string; n: string; out: string; png?: string; class?: string; seed: string }) => {
        const { dir: run, student } = resolveRunRef(runArg);
        const graphFile = join(run, 'graph.json');
        if (!existsSync(run)) throw new UserError(`${run}: no such run directory (sidc run prints the one it makes: runs/<recipe>-<hash8>)`);
        if (!existsSync(graphFile)) throw new UserError(`${run}: no graph.json - not a run directory (runs/<recipe>-<hash8>, made by sidc run)`);
        const graph = JSON.parse(readFileSync(graphFile, 'utf8')) as ExecutionGraph;
        // image runs still going are sampled from G of their last checkpoint, as sidc eval does
        if (teacherFamily(graph) !== 'dit' && !existsSync(student)) throw new UserError(`${run}: no student.safetensors (has the run finished its sid stage?)`);
        if (isTextFamily(teacherFamily(graph))) {
          // the paper's families: latents [n, C, h, w] in the teacher's normalised space, prompts cycling
          await startBackend(io, {});
          const s = sampleFamilyStudent(student, graph, {
            n: intFlag('n', flags.n, 1),
            k: intFlag('steps', flags.steps, 1),
            row: flags.class === undefined ? null : intFlag('class', flags.class, 0),
            seed: intFlag('seed', flags.seed, 0),
          });
          writeNpy(flags.out, { dtype: 'f4', shape: s.shape, data: s.data });
          io.stdout(
            `wrote ${s.shape[0]} latents [${s.shape.join(', ')}] to ${flags.out} (prompts: ${[...new Set(s.prompts)].map((p) => JSON.stringify(p)).join(', ')})\n`,
          );
          return setExitCode(0);
        }
        if (teacherFamily(graph) === 'dit') {
          // images [n, C, H, W] in [-1, 1] + labels (the prompted digit); --png: a row per prompt
          const stepsTrained = num(configValue(graph, 'generator.steps'), 4);
          const k = intFlag('steps', flags.steps, 1);
          if (k > stepsTrained) throw new UserError(`--steps ${k}: the student was trained for at most ${stepsTrained} steps`);
          const n = intFlag('n', flags.n, 1);
          await startBackend(io, {});
          const phi = existsSync(student) ? null : ditTeacher(graph);
          const { net: G, from } = phi ? loadRunStudent(run, phi) : { net: loadDitFile(student, { trainable: false }), from: student };
          phi?.dispose();
          const K = G.nullCondition;
          const cls = flags.class === undefined ? null : intFlag('class', flags.class, 0);
          if (cls !== null && cls > K)
            throw new UserError(
              `--class ${cls}: prompts are 0..${K - 1} (${G.opts.captions
                .slice(0, 3)
                .map((p) => JSON.stringify(p))
                .join(', ')}, ...; ${K} = the empty caption)`,
            );
          const c = Int32Array.from({ length: n }, (_, i) => cls ?? i % K);
          const x = drawImages(G, c, k, stepsTrained, intFlag('seed', flags.seed, 0), num(configValue(graph, 'teacher.time_scale'), 1));
          for (let i = 0; i < x.length; i++) x[i] = Math.min(1, Math.max(-1, x[i]!)); // images live in [-1, 1]
          const cf = G.opts.config;
          const labelsPath = flags.out.replace(/(\.npy)?$/, '.labels.npy');
          writeNpy(flags.out, { dtype: 'f4', shape: [n, cf.channels, cf.height, cf.width], data: x });
          writeNpy(labelsPath, { dtype: 'i4', shape: [n], data: c });
          io.stdout(
            `wrote ${n} images [${n}, ${cf.channels}, ${cf.height}, ${cf.width}] in [-1, 1] (${k} steps, from ${from}) to ${flags.out}, their prompt indices to ${labelsPath}\n`,
          );
          if (flags.png) {
            labelledGridPng(flags.png, G, x, c, `student, ${k} steps`);
            io.stdout(`wrote ${flags.png} (a row per prompt)\n`);
          }
          G.dispose();
          return setExitCode(0);
        }
        const gmm = gmmOf(graph);
        const stepsTrained = num(configValue(graph, 'generator.steps'), 4);
        const k = intFlag('steps', flags.steps, 1);
        if (k > stepsTrained) throw new UserError(`--steps ${k}: the student was trained for at most ${stepsTrained} steps`);
        const n = intFlag('n', flags.n, 1);
        const cls = flags.class === undefined ? null : intFlag('class', flags.class, 0);
        if (cls !== null && cls > gmm.classes) throw new UserError(`--class ${cls}: classes are 0..${gmm.classes - 1} (${gmm.classes} = unconditional)`);
        await startBackend(io, {});
        const G = loadNet(student);
        const rng = new Rng(intFlag('seed', flags.seed, 0));
        const c = Int32Array.from({ length: n }, (_, i) => cls ?? i % gmm.classes);
        const x = tf.tidy(() => {
          const z = tf.tensor2d(rng.normals(n * gmm.dim), [n, gmm.dim]);
          return Float32Array.from(
            generateK(
              G,
              z,
              tf.tensor1d(c, 'int32'),
              k,
              stepsTrained,
              String(configValue(graph, 'generator.noise') ?? 'fresh') as NoiseMode,
              rng,
              num(configValue(graph, 'teacher.time_scale'), 1),
              FP32,
              false,
            ).dataSync() as Float32Array,
          );
        });
        const labelsPath = flags.out.replace(/(\.npy)?$/, '.labels.npy');
        writeNpy(flags.out, { dtype: 'f4', shape: [n, gmm.dim], data: x });
        writeNpy(labelsPath, { dtype: 'i4', shape: [n], data: c });
        io.stdout(`wrote ${n} samples (${k} steps) to ${flags.out}, their classes to ${labelsPath} (the truth: sidc export-mixture ${run})\n`);
        if (flags.png) {
          if (gmm.dim < 2) throw new UserError('--png needs data of at least 2 dimensions');
          scatterClasses(
            flags.png,
            { x, c, dim: gmm.dim },
            { title: `student, ${k} steps`, means: gmm.means, modesPerClass: gmm.modesPerClass, lim: gmm.radius * 1.4 },
          );
          io.stdout(`wrote ${flags.png}\n`);
        }
        G.dispose();
        setExitCode(0);
      });
  },
};
