// sidc eval RUN: teacher Euler (CFG) at several step counts vs the SiD student at 1 and 4 steps for an
// image (dit) run; writes RUN/eval-images.{md,json}, optionally every sampler's images as .npy.
// sidc eval RUN --seeds 0,1,2 (vector runs): the evaluate stage over several evaluation seeds, mean ± sd.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../common/errors.js';
import type { CommandModule } from './command.js';
import { loadClassifier, shippedClassifierPath } from '../runtime/scoring/classifier.js';
import { loadMnist } from '../runtime/data/mnist.js';
import { teacherFamily } from '../runtime/tfjs/loop/teacher-spec.js';
import { evaluateImageRun, formatImageEvalTable, readGraph, writeImageEval, writeReferenceNpy, type ImageEvalRow } from '../runtime/tfjs/evaluation/image.js';
import { intFlag, startBackend } from './runtime-common.js';
import { evaluateOverSeeds, formatSeedTable } from '../runtime/tfjs/loop/eval-seeds.js';
import { resolveRunRef } from '../runtime/tfjs/loop/snapshots.js';
import { requireTorch } from '../runtime/torch/engine.js';
import { evaluateImageRunOnTorch } from '../runtime/torch/image-eval.js';

const ints = (name: string, v: string): number[] => {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < 1))
    throw new UserError(`--${name} must be a comma-separated list of positive integers, got '${v}'`);
  return xs;
};

export const evalCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('eval')
      .description("compare an image run's student with its teacher: FID (classifier features) and prompt alignment")
      .argument('<run>', 'run directory (runs/<recipe>-<hash8>), or RUN@<snapshot> to score a snapshot the monitor kept (printed only, like --student)')
      .option('--teacher-steps <list>', 'Euler step counts of the teacher', '4,8,16,32')
      .option('--student-steps <list>', 'step counts of the student', '1,4')
      .option('--student-only', 'evaluate only the student (no teacher rows), e.g. --per-class 500 for 5,000 samples')
      .option('--cfg <w>', 'teacher CFG scale', '4.5')
      .option('--per-class <n>', 'samples per caption', '50')
      .option('--seed <s>', 'noise seed (the same noise for every sampler)', '1')
      .option('--seeds <list>', 'vector (gmm, mlp) runs: repeat the evaluate stage with these evaluation seeds (e.g. 0,1,2,3,4) and print mean ± sd [min, max]')
      .option('--npy <dir>', "also write every sampler's images as <dir>/<sampler>.npy [n, C, H, W] and labels.npy")
      .option('--teacher <file>', "teacher safetensors (default: the recipe's teacher.checkpoint)")
      .option(
        '--student <file>',
        "score this student instead of the run's own: a sidc net file (e.g. from " +
          'scripts/reference/sid_dit_torch.py) or a checkpoint.safetensors copied from a run (its G); the table ' +
          "is printed and RUN's eval files are left alone",
      )
      .option('--classifier <file>', 'eval classifier', 'examples/eval/mnist-classifier.safetensors')
      .option('--backend <name>', 'tensorflow | wasm | cpu (default: the fastest available)')
      .option('--engine <name>', 'tfjs | torch: which engine samples and scores (the same draws, the same numbers to float32 rounding)', 'tfjs')
      .option('--device <name>', 'torch engine: cpu | cuda[:N] (default: cpu)')
      .addHelpText(
        'after',
        '\n' +
          'Examples:\n' +
          '  sidc eval runs/mnist_sid-1a2b3c4d --npy /tmp/mnist-samples\n' +
          '  sidc eval runs/mnist_sid-1a2b3c4d --student-only --per-class 500     # 5,000 samples per step count\n' +
          '  sidc eval runs/mnist_sid-1a2b3c4d --engine torch     # the same rows, sampled and scored on PyTorch (faster on a CPU)\n' +
          '  sidc eval runs/mnist_sid-1a2b3c4d --student-only --student /tmp/ref/student-4096.safetensors\n' +
          '  sidc eval runs/mnist_sid-1a2b3c4d@best-fid --student-only --per-class 500',
      )
      .action(
        async (
          runArg: string,
          flags: {
            teacherSteps: string;
            studentSteps: string;
            studentOnly?: boolean;
            cfg: string;
            perClass: string;
            seed: string;
            seeds?: string;
            npy?: string;
            teacher?: string;
            student?: string;
            classifier: string;
            backend?: string;
            engine: string;
            device?: string;
          },
        ) => {
          const ref = resolveRunRef(runArg);
          const run = ref.dir;
          if (ref.snapshot && flags.student) throw new UserError(`${runArg} names a snapshot and --student another student: give one of them`);
          if (ref.snapshot) flags.student = ref.student;
          if (flags.seeds !== undefined) {
            const seeds = flags.seeds.split(',').map((v) => Number(v.trim()));
            if (seeds.length < 2 || seeds.some((v) => !Number.isInteger(v) || v < 0))
              throw new UserError(`--seeds must list at least two non-negative integers, got '${flags.seeds}'`);
            await startBackend(io, flags);
            io.stdout(formatSeedTable(evaluateOverSeeds(run, seeds, io.stderr).rows, seeds) + '\n');
            return setExitCode(0);
          }
          const graph = readGraph(run);
          if (teacherFamily(graph) !== 'dit')
            throw new UserError(
              `${run}: sidc eval compares image runs (teacher dit); vector runs are evaluated by their evaluate stage (sidc eval RUN --seeds 0,1,2 repeats it over seeds)`,
            );
          const cfg = Number(flags.cfg);
          const perClass = intFlag('per-class', flags.perClass, 2);
          if (!(cfg > 0)) throw new UserError(`--cfg must be a positive number, got '${flags.cfg}'`);
          if (!existsSync(flags.classifier)) throw new UserError(`--classifier ${flags.classifier}: no such file`);
          if (flags.student && !existsSync(flags.student)) throw new UserError(`--student ${flags.student}: no such file`);
          if (!['tfjs', 'torch'].includes(flags.engine)) throw new UserError(`unknown --engine '${flags.engine}': use tfjs or torch`);
          const common = {
            teacherSteps: flags.studentOnly ? [] : ints('teacher-steps', flags.teacherSteps),
            studentSteps: ints('student-steps', flags.studentSteps),
            cfg,
            perClass,
            seed: Number(flags.seed) || 0,
            ...(flags.npy ? { npyDir: flags.npy } : {}),
            ...(flags.student ? { student: flags.student } : {}),
          };
          let rows: ImageEvalRow[];
          if (flags.engine === 'torch') {
            if (flags.teacher) throw new UserError('--teacher is a tfjs-engine option of sidc eval; drop --engine torch to use it');
            if (resolve(flags.classifier) !== shippedClassifierPath())
              throw new UserError(
                '--engine torch scores with the shipped classifier (examples/eval/mnist-classifier.safetensors); drop --classifier or --engine torch',
              );
            rows = evaluateImageRunOnTorch(requireTorch(io), run, { ...common, ...(flags.device ? { device: flags.device } : {}) });
            if (flags.npy) writeReferenceNpy(flags.npy, loadMnist({ split: 'heldout' }));
            for (const r of rows)
              io.stderr(
                `${r.label}: FID ${r.fid.toFixed(2)}, alignment ${r.alignment.toFixed(3)} (sampling ${r.seconds.toFixed(1)} s, scoring ${(r.scoreSeconds ?? 0).toFixed(1)} s)\n`,
              );
          } else {
            await startBackend(io, flags);
            rows = evaluateImageRun(run, graph, {
              ...common,
              classifier: loadClassifier(flags.classifier),
              real: loadMnist({ split: 'heldout' }),
              ...(flags.teacher ? { teacher: flags.teacher } : {}),
              log: io.stderr,
            });
          }
          const opts = common;
          if (flags.student) {
            // another student than the run's: print only, so RUN/eval-images.* keep describing the run
            io.stdout(formatImageEvalTable(rows, `${flags.student} (with ${run}'s teacher)`) + '\n');
            setExitCode(0);
            return;
          }
          const md = writeImageEval(run, rows, {
            run,
            teacher_steps: opts.teacherSteps,
            student_steps: opts.studentSteps,
            cfg,
            per_class: perClass,
            seed: opts.seed,
            classifier: flags.classifier,
            real: 'MNIST held-out split (1,000 images)',
            ...(flags.npy ? { npy: flags.npy } : {}),
          });
          io.stdout(md + '\n');
          setExitCode(0);
        },
      );
  },
};
