// One SiD iteration of tiny family teachers (sidc make-tiny) on both engines (sid-iteration-harness.ts), with
// the recipes of test/runtime/torch/fixtures/tiny-fp32.sid: FLUX with embedded guidance 4.5 (one conditional
// pass, the scale through the guidance embedder) and SANA with CFG 4.5 on a doubled batch and padded prompts.
import { repoPath } from '../../helpers/paths.js';
import { iterationTests } from './sid-iteration-harness.js';

const FIXTURE = repoPath('test', 'runtime', 'torch', 'fixtures', 'tiny-fp32.sid');
const tinySets = (d: string): string[] => [`teacher.checkpoint="${d}"`, `data.text=precomputed("${d}")`];

iterationTests([
  { name: 'flux', recipe: FIXTURE, recipeName: 'flux_tiny_fp32', tiny: 'flux', stages: ['sid'], sets: tinySets },
  { name: 'sana', recipe: FIXTURE, recipeName: 'sana_tiny_fp32', tiny: 'sana', stages: ['sid'], sets: tinySets },
]);
