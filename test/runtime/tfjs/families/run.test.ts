// The paper recipes distilling tiny teachers of each family through the same path `sidc run` takes:
// compileFile(recipe, --set overrides) -> runGraph -> prepareStage (runtime/tfjs/loop/family-stage.ts) ->
// runIteration. Each test writes its own tiny diffusers checkpoint and text table (sidc make-tiny).
// Checked: the student file differs from the teacher and is finite, phi never moves, conditions are
// prompt rows (never the empty prompt's row), the nets' own guidance value stays 1.0 (docs/algorithm.md §3),
// and a missing checkpoint or a mismatched text table is a one-line error without a stack.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { readNpyFloat32 } from '../../../../runtime/formats/npy.js';
import { writeTinyVae } from './fixtures.js';
import { join } from 'node:path';
import { useWasm } from '../nn/setup.js';
import { repoRoot } from '../../../helpers/paths.js';
import { scratchDir } from '../../formats/tmp.js';
import { compileFile } from '../../../../compiler/api.js';
import { openRunDir } from '../../../../runtime/rundir/rundir.js';
import { runGraph } from '../../../../runtime/tfjs/loop/runner.js';
import { readSafetensors } from '../../../../runtime/formats/safetensors.js';
import { loadTransformer } from '../../../../runtime/tfjs/families/load.js';
import { TINY_TEACHERS, writeTinyFamilyTeacher } from '../../../../runtime/tfjs/families/tiny-teacher.js';
import type { FamilyNet } from '../../../../runtime/tfjs/families/net.js';
import type { StageState } from '../../../../runtime/tfjs/loop/state.js';
import { OP_IMPLS } from '../../../../runtime/tfjs/loop/ops.js';
import { Rng } from '../../../../runtime/rng/prng.js';
import type { GraphNode } from '../../../../compiler/graph/types.js';
import { sidc } from '../../../helpers/cli.js';

before(() => useWasm());

const REPO = repoRoot;

/** The --set overrides a user gives to run a paper recipe on a tiny teacher for `images` images. */
function sets(dir: string, family: string, images = 4): string[] {
  return [
    `teacher.checkpoint="${dir}"`,
    `data.text=precomputed("${dir}")`,
    `data.resolution=${TINY_TEACHERS[family]!.resolution} px`,
    'batch.per_device=2',
    'batch.accumulate=1',
    'batch.global=16',
    `train.length=${images} images`,
    `train.log_every=2 images`,
    `train.sample_every=${images} images`,
    `train.checkpoint_every=${images} images`,
  ];
}

const io = () => {
  const err: string[] = [];
  return { io: { stdout: () => {}, stderr: (t: string) => void err.push(t), isTTY: false }, err };
};

const CASES: { family: string; recipe: string }[] = [
  { family: 'sana', recipe: 'recipes/sana-600m-512.sid' },
  { family: 'sana-sprint', recipe: 'recipes/sana-sprint-600m-1024.sid' },
  { family: 'sd3', recipe: 'recipes/sd35-medium-bf16.sid' },
  { family: 'flux', recipe: 'recipes/flux-dev-512.sid' },
];

for (const { family, recipe } of CASES) {
  test(`${family}: ${recipe} distils a tiny diffusers checkpoint for two SiD iterations`, () => {
    const dir = scratchDir(`run-${family}`);
    writeTinyFamilyTeacher(family, dir, { seed: 3 });
    // SD3 / FLUX: an AutoencoderKL beside the transformer turns the sample latents into a PNG grid
    const withVae = family === 'sd3' || family === 'flux';
    if (withVae) cpSync(writeTinyVae().vdir, join(dir, 'vae'), { recursive: true });
    const res = compileFile(join(REPO, recipe), { set: sets(dir, family) });
    assert.ok(res.ok, JSON.stringify(res.diagnostics.filter((d) => d.severity === 'error')));
    const graph = res.graphs[0]!;
    const paths = openRunDir(scratchDir(`runs-${family}`), graph, { fresh: true });
    const teacher = loadTransformer(dir).tensors;
    const seen: number[] = [];
    const { io: out } = io();
    const r = runGraph(graph, paths, {
      io: out,
      onIteration: (st: StageState) => {
        const phi = st.nets.get('phi')!.net as FamilyNet;
        // phi is the frozen teacher, bit for bit
        for (const [k, v] of phi.params) assert.deepEqual(v.dataSync(), teacher[k]!.data, `phi.${k} moved`);
        for (const n of ['phi', 'psi', 'G']) assert.equal((st.nets.get(n)!.net as FamilyNet).guidance, 1, `${n}.guidance is restored to 1.0`);
        assert.equal(st.stats.nonfinite, 0);
        seen.push(st.iteration);
        if (family === 'sana-sprint') assert.equal(phi.opts.objective, 'trigflow');
      },
    });
    assert.equal(r.completed, true);
    assert.deepEqual(seen, [1, 2]);
    const student = readSafetensors(paths.student).tensors;
    let changed = 0;
    for (const [k, w] of Object.entries(teacher)) {
      const s = student[k];
      assert.ok(s, `student has ${k}`);
      assert.ok(s.data.every(Number.isFinite), `${k} finite`);
      if (s.data.some((v, i) => v !== w.data[i])) changed++;
    }
    assert.ok(changed > Object.keys(teacher).length / 2, `${changed} of ${Object.keys(teacher).length} tensors changed`);
    // the sample point at the end: latents [16, C, h, w] (4 prompt rows x 4), decoded when a VAE is there
    const npy = readdirSync(paths.samples).filter((f) => f.endsWith('.npy'));
    assert.equal(npy.length, 1, readdirSync(paths.samples).join());
    const z = readNpyFloat32(join(paths.samples, npy[0]!));
    const side = TINY_TEACHERS[family]!.resolution / (family.startsWith('sana') ? 32 : 8);
    assert.deepEqual(z.shape, [12, 4, side, side], '3 prompt rows (the empty prompt is not one) x 4 samples');
    assert.ok(z.data.every(Number.isFinite));
    assert.equal(existsSync(join(paths.samples, npy[0]!.replace('.npy', '.png'))), withVae);
    // a rerun of the finished run reloads the student on the teacher's architecture and has nothing to do
    const again = runGraph(graph, paths, { io: out, plots: false, onIteration: () => assert.fail('nothing left to run') });
    assert.equal(again.completed, true);
  });
}

test('sd3: recipes/sid2a-sd3-medium.sid runs its sid stage, then the adversarial stage on real latents (docs/algorithm.md §6)', () => {
  const dir = scratchDir('run-sid2a');
  writeTinyFamilyTeacher('sd3', dir, { seed: 3, latents: 6 });
  const res = compileFile(join(REPO, 'recipes/sid2a-sd3-medium.sid'), { set: [...sets(dir, 'sd3'), `data.images="${dir}"`] });
  assert.ok(res.ok, JSON.stringify(res.diagnostics.filter((d) => d.severity === 'error')));
  const graph = res.graphs[0]!;
  const paths = openRunDir(scratchDir('runs-sid2a'), graph, { fresh: true });
  const stages: string[] = [];
  const r = runGraph(graph, paths, {
    io: io().io,
    plots: false,
    onIteration: (st) => {
      stages.push(st.stage.name);
      if (st.stage.kind === 'adversarial') assert.equal(st.realData!.images.length, 6 * st.dim, 'the real latents are the stage data');
    },
  });
  assert.equal(r.completed, true);
  assert.deepEqual(stages, ['sid', 'sid', 'adversarial', 'adversarial']);
  const lines = readFileSync(paths.metrics, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { stage: string; loss: Record<string, number> });
  const adv = lines.filter((l) => l.stage === 'adversarial');
  assert.ok(adv.length > 0);
  for (const l of adv) for (const [k, v] of Object.entries(l.loss)) assert.ok(Number.isFinite(v), `${k} = ${v}`);
  assert.ok(existsSync(paths.stage('adversarial')));
});

test('sana: a run stopped after its checkpoint resumes to the same student, bit for bit', () => {
  const dir = scratchDir('resume-sana');
  writeTinyFamilyTeacher('sana', dir, { seed: 8 });
  const set = [...sets(dir, 'sana', 8), 'train.checkpoint_every=4 images'];
  const graph = compileFile(join(REPO, 'recipes/sana-600m-512.sid'), { set }).graphs[0]!;
  const straight = openRunDir(scratchDir('resume-a'), graph, { fresh: true });
  assert.equal(runGraph(graph, straight, { io: io().io, plots: false }).completed, true);
  const split = openRunDir(scratchDir('resume-b'), graph, { fresh: true });
  assert.equal(runGraph(graph, split, { io: io().io, plots: false, stopAfterIterations: 3 }).completed, false); // checkpoint at 4 images, dies at 6
  const iters: number[] = [];
  assert.equal(runGraph(graph, split, { io: io().io, plots: false, onIteration: (st) => void iters.push(st.iteration) }).completed, true);
  assert.deepEqual(iters, [3, 4], 'resumed after the checkpoint at iteration 2');
  const [a, b] = [readSafetensors(straight.student).tensors, readSafetensors(split.student).tensors];
  for (const k of Object.keys(a)) assert.deepEqual(b[k]!.data, a[k]!.data, k);
});

test('sample_condition draws prompt rows of the text table, never the empty prompt (the null condition)', () => {
  const node = { id: 'condition', op: 'sample_condition', inputs: {}, attrs: { source: 'prompts' } } as unknown as GraphNode;
  const st = { batch: 400, rng: new Rng(5), prompts: { rows: [0, 2, 3], nullRow: 1 } } as unknown as StageState;
  const c = OP_IMPLS.sample_condition(node, new Map(), st, 1) as { dataSync(): Int32Array };
  const counts = [0, 0, 0, 0];
  for (const v of c.dataSync()) counts[v]!++;
  assert.equal(counts[1], 0);
  for (const r of [0, 2, 3]) assert.ok(counts[r]! > 80, `row ${r} drawn ${counts[r]} times of 400`);
  const labels = { batch: 4, rng: new Rng(5) } as unknown as StageState;
  assert.throws(() => OP_IMPLS.sample_condition(node, new Map(), labels, 1), /needs a text teacher/);
});

test('sidc make-tiny flux + sidc run recipes/flux-dev-512.sid; a missing checkpoint and a mismatched text table are one-line errors', async () => {
  const dir = join(scratchDir('cli-flux'), 'flux-tiny');
  const mk = await sidc('make-tiny', 'flux', dir);
  assert.equal(mk.code, 0, mk.err);
  assert.match(mk.out, /try it: sidc run recipes\/flux-dev-512\.sid/);
  const runs = scratchDir('cli-runs');
  const flags = (d: string, text = d) =>
    sets(d, 'flux')
      .map((s) => (s.startsWith('data.text') ? `data.text=precomputed("${text}")` : s))
      .flatMap((s) => ['--set', s]);
  const ok = await sidc('run', join(REPO, 'recipes/flux-dev-512.sid'), ...flags(dir), '--runs-dir', runs, '--backend', 'wasm', '--no-plots');
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /done in/);
  const runDir = /run directory (\S+)/.exec(ok.out)![1]!;
  assert.ok(existsSync(join(runDir, 'student.safetensors')));
  // sidc sample on the finished run: latents of the student on the teacher's architecture
  const npy = join(runs, 'x.npy');
  const smp = await sidc('sample', runDir, '--n', '5', '--steps', '2', '-o', npy);
  assert.equal(smp.code, 0, smp.err);
  const x = readNpyFloat32(npy);
  assert.deepEqual(x.shape, [5, 4, 4, 4]);
  assert.ok(x.data.every(Number.isFinite));

  const missing = await sidc('run', join(REPO, 'recipes/flux-dev-512.sid'), ...flags(join(dir, 'nope'), dir), '--runs-dir', runs, '--backend', 'wasm');
  assert.equal(missing.code, 1);
  // found by the compiler's file check before anything is written (no run directory)
  assert.match(missing.err, /SID3025: `teacher\.checkpoint` names \S+nope, which does not exist/);
  assert.match(missing.err, /not started, nothing written/);
  assert.doesNotMatch(missing.err, /\n\s+at /, 'no stack trace');

  const sana = scratchDir('cli-sana');
  writeTinyFamilyTeacher('sana', sana); // SANA encodings have no pooled embedding, FLUX needs one
  const wrong = await sidc('run', join(REPO, 'recipes/flux-dev-512.sid'), ...flags(dir, sana), '--runs-dir', runs, '--backend', 'wasm');
  assert.equal(wrong.code, 1);
  // sidc run checks the files a recipe names when it compiles it (compiler/check/files.ts): no loading starts
  assert.match(
    wrong.err,
    /error SID3028: the text encodings \S+text\.safetensors do not fit the teacher: it has no pooled_prompt_embeds but the flux teacher \(\S+config\.json\) takes \[N, 32\]/,
  );
  assert.doesNotMatch(wrong.err, /sidc: backend/, 'stopped before the backend starts');
  assert.doesNotMatch(wrong.err, /\n\s+at /, 'no stack trace');
});
