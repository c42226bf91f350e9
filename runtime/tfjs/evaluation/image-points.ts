// The image points of a sweep (Fig. 3 on images): each finished point's student scored as
// `sidc eval RUN --student-only --seed 1 --per-class N` does (eval-images.json in its run directory, which the
// sweep table reads), and a sample grid per point - a row per prompt - beside the table. Runs of either engine:
// a run directory holds the same student file whichever engine wrote it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionGraph } from '../../../compiler/graph/types.js';
import { loadMnist } from '../../data/mnist.js';
import { loadClassifier, shippedClassifierPath } from '../../scoring/classifier.js';
import { configValue, num } from '../loop/config.js';
import { ditTeacher } from '../loop/dit-stage.js';
import { drawImages, labelledGridPng } from '../loop/image-samples.js';
import { evaluateImageRun, loadRunStudent, writeImageEval } from './image.js';

/** The seed of the scored noise: the monitor's and `sidc eval`'s default, so the numbers can be redone by hand. */
const SCORE_SEED = 1;

export interface ImagePointOptions {
  perClass: number;
  /** where the grid goes */
  gridPath: string;
  title: string;
  log?: (line: string) => void;
}

/** The student step counts a sweep compares: one step and the trained count. */
function scoredSteps(graph: ExecutionGraph): number[] {
  const k = num(configValue(graph, 'generator.steps'), 4);
  return k > 1 ? [1, k] : [1];
}

/** Scores the run's student unless eval-images.json already holds this scoring; writes the grid. */
export function scoreImagePoint(dir: string, graph: ExecutionGraph, o: ImagePointOptions): void {
  const steps = scoredSteps(graph);
  const file = join(dir, 'eval-images.json');
  const prev = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { per_class?: number; student_steps?: number[]; seed?: number; teacher_steps?: number[] })
    : null;
  const same = prev?.per_class === o.perClass && prev.seed === SCORE_SEED && JSON.stringify(prev.student_steps) === JSON.stringify(steps);
  if (!same) {
    const classifier = shippedClassifierPath();
    const rows = evaluateImageRun(dir, graph, {
      teacherSteps: [],
      studentSteps: steps,
      cfg: 1,
      perClass: o.perClass,
      seed: SCORE_SEED,
      classifier: loadClassifier(classifier),
      real: loadMnist({ split: 'heldout' }),
      ...(o.log ? { log: o.log } : {}),
    });
    writeImageEval(dir, rows, {
      run: dir,
      teacher_steps: [],
      student_steps: steps,
      cfg: 1,
      per_class: o.perClass,
      seed: SCORE_SEED,
      classifier,
      real: 'MNIST held-out split (1,000 images)',
    });
  }
  const G = loadRunStudent(dir, ditTeacher(graph)).net; // the teacher is cached per process: not disposed here
  const k = steps[steps.length - 1]!;
  const per = 8;
  const c = Int32Array.from({ length: G.nullCondition * per }, (_, i) => Math.floor(i / per));
  const x = drawImages(G, c, k, k, 0, num(configValue(graph, 'teacher.time_scale'), 1));
  labelledGridPng(o.gridPath, G, x, c, o.title);
  G.dispose();
}
