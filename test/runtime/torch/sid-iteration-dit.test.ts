// One iteration of examples/mnist-sid2a.sid at batch 2 on both engines (sid-iteration-harness.ts): its sid
// stage (G = the shipped data-free student, CFG 4.5, Adam eps 1e-8), then its adversarial stage on that
// product with the warm-up and switch at 0 (L_D joins psi's loss; G gets 0.9 L_gan + 0.1 L_G).
import { repoPath } from '../../helpers/paths.js';
import { iterationTests } from './sid-iteration-harness.js';

iterationTests([
  {
    name: 'dit',
    recipe: repoPath('examples', 'mnist-sid2a.sid'),
    stages: ['sid', 'adversarial'],
    sets: () => ['batch.global=2', 'batch.per_device=2', 'adversarial.warmup=0 images', 'adversarial.switch=0 images'],
  },
]);
