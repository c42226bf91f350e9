// Peak memory per device of one training stage, term by term (docs/plan.md derives each term).
//
// Model states. G and psi are trainable copies of the teacher; each has weights, two Adam moments and,
// while its phase runs, gradients (the phases alternate and free their gradients, so one net's at a
// time). Under FSDP all of that is sharded over the devices; one block at a time is gathered unsharded.
// The frozen teacher phi is not wrapped by FSDP: it has no gradients or optimizer state to shard and
// sharding it would add an all-gather to every pass, so every device holds it, in bf16 (the compute
// dtype of AMP as well - a frozen net needs no fp32 master copy).
//
// Activations. A pass keeps what its blocks save (activations.ts). Each network is back-propagated as
// soon as its part of the loss is known, so a phase holds the generator's graph (everything downstream
// needs it) plus ONE other differentiated pass at a time: in the generator phase phi's and psi's
// vector-Jacobian products w.r.t. x_t run one after the other; in the adversarial fake phase the real
// and fake discriminator passes likewise. Guided passes run on the doubled (uncond + cond) batch.
import { parameterBreakdown } from '../teachers/params.js';
import { latentNumel } from '../teachers/shapes.js';
import type { TeacherConfig } from '../teachers/types.js';
import { passActivations, type Bytes } from './activations.js';
import { ADAM_MOMENTS, BYTES, FSDP_UNSHARDED_BLOCKS, GIB } from './constants.js';
import { checkpointsBlocks, type PlanInputs, type Policy, type StagePlanInput } from './inputs.js';

export interface Term {
  name: string;
  gb: number; // GiB on one device
  formula: string;
}

export interface StageMemory {
  stage: string;
  terms: Term[];
  total_gb: number;
  /** Model states kept in host memory (CPU offload), GiB per device. */
  host_gb: number;
  /** Which phase holds the peak: 'fake' | 'generator' | 'teacher'. */
  peak_phase: string;
}

interface DtypeBytes {
  weights: number;
  adam: number;
  grads: number;
  frozen: number;
  encoders: number;
  acts: Bytes;
}

/** Storage bytes under a policy. The CPU runtime has no bf16 type: it stores rounded values in float32. */
export function dtypeBytes(policy: Policy, cpu: boolean): DtypeBytes {
  const f = BYTES.fp32;
  if (cpu) return { weights: f, adam: f, grads: f, frozen: f, encoders: f, acts: { stream: f, act: f, f32: f } };
  const b = BYTES.bf16;
  switch (policy) {
    case 'fp32':
      return { weights: f, adam: f, grads: f, frozen: f, encoders: f, acts: { stream: f, act: f, f32: f } };
    case 'amp':
      return { weights: f, adam: f, grads: f, frozen: b, encoders: f, acts: { stream: f, act: b, f32: f } };
    case 'bf16':
      return { weights: b, adam: b, grads: b, frozen: b, encoders: b, acts: { stream: b, act: b, f32: f } };
  }
}

const gib = (bytes: number): number => bytes / GIB;
const fmtB = (bytes: number): string => `${(bytes / GIB).toFixed(2)} GB`;
const fmt = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : String(Math.round(n)));

export function stageMemory(inp: PlanInputs, teacher: TeacherConfig, stage: StagePlanInput): StageMemory {
  const cpu = inp.devices.kind === 'cpu';
  const by = dtypeBytes(stage.policy, cpu);
  const pb = parameterBreakdown(teacher.arch);
  const P = pb.total;
  const n = inp.devices.count;
  const fsdp = inp.shard === 'fsdp' && n > 1;
  const shard = fsdp ? n : 1;
  // CPU offload under FSDP streams every state from the host (weights, Adam moments, gradients; blocks gathered
  // one at a time). Without FSDP the nets must sit whole on the device: only the Adam moments live on the host
  // and the optimizer step runs there (the torch engine's hardware.offload, sidc_torch/optim.py).
  const onHost = inp.offload === 'cpu' && fsdp;
  const momentsOnHost = inp.offload === 'cpu';
  const B = stage.kind === 'teach' ? Math.max(1, Math.round(inp.perDevice)) : inp.perDevice;
  const trained = stage.kind === 'teach' ? 1 : 2; // teach trains one net; SiD trains G and psi
  const terms: Term[] = [];
  const sh = fsdp ? ` / ${n} devices (FSDP)` : '';
  const where = onHost ? ' [on host: CPU offload]' : '';
  const whereAdam = momentsOnHost ? ' [on host: CPU offload, the step runs there]' : '';

  const weights = (trained * P * by.weights) / shard;
  const adam = (trained * ADAM_MOMENTS * P * by.adam) / shard;
  const grads = (P * by.grads) / shard;
  const host = onHost ? weights + adam + grads : momentsOnHost ? adam : 0;
  const dev = (x: number) => (onHost ? 0 : x);
  const tn = trained === 2 ? 'G, psi' : 'teacher';
  terms.push({ name: `weights (${tn})`, gb: gib(dev(weights)), formula: `${trained} x ${fmt(P)} params x ${by.weights} B${sh}${where}` });
  terms.push({
    name: `Adam m, v (${tn})`,
    gb: gib(momentsOnHost ? 0 : adam),
    formula: `${trained} x 2 moments x ${fmt(P)} x ${by.adam} B${sh}; m exists although beta1 = 0 (torch allocates it)${whereAdam}`,
  });
  terms.push({
    name: 'gradients (one net at a time)',
    gb: gib(dev(grads)),
    formula: `${fmt(P)} x ${by.grads} B${sh}; each phase frees its gradients after its step${where}`,
  });
  if (stage.kind !== 'teach') {
    terms.push({
      name: 'teacher phi (frozen, replicated)',
      gb: gib(P * by.frozen),
      formula: `${fmt(P)} x ${by.frozen} B on every device (no FSDP: nothing to shard but weights)`,
    });
  }
  if (fsdp) {
    terms.push({
      name: 'FSDP unsharded blocks',
      gb: gib(FSDP_UNSHARDED_BLOCKS * pb.largestBlock * by.weights),
      formula: `${FSDP_UNSHARDED_BLOCKS} x largest block ${fmt(pb.largestBlock)} x ${by.weights} B (running, prefetched, its gradient before reduce-scatter)`,
    });
  }

  // Activations of the peak phase.
  const pass = passActivations(teacher, inp.resolution, by.acts);
  // The CPU runtime differentiates a whole phase in one tf.variableGrads call, and tfjs's tape keeps every
  // intermediate of it: input-only passes keep the full saved set, and phi and psi are held together.
  const checkpointing = checkpointsBlocks(inp);
  const keep = (kind: 'params' | 'input'): number => (checkpointing ? pass.checkpointed : pass[cpu ? 'params' : kind]);
  const together = (tm: number, fm: number): number => (cpu ? tm + fm : Math.max(tm, fm));
  const fm = stage.fakeMult;
  const tm = stage.teacherMult;
  let phase = 'teacher';
  let act: number;
  let actFormula: string;
  let transient = checkpointing ? pass.oneBlock : 0;
  if (stage.kind === 'teach') {
    act = B * keep('params');
    actFormula = `B=${B} x ${fmtB(keep('params'))} per sample (flow matching)`;
    transient *= B;
  } else {
    const fake = fm * B * keep('params');
    const gen = B * keep('params') + together(tm, fm) * B * keep('input');
    phase = gen >= fake ? 'generator' : 'fake';
    act = Math.max(fake, gen);
    actFormula =
      phase === 'generator'
        ? `G: B=${B} x ${fmtB(keep('params'))}  +  ${cpu ? 'phi and psi together (tfjs tape)' : 'one of phi/psi at a time'}: ${together(tm, fm)} x B x ${fmtB(keep('input'))} (w.r.t. x_t)`
        : `psi on the guided batch: ${fm} x B=${B} x ${fmtB(keep('params'))}`;
    if (stage.kind === 'adversarial') actFormula += '; real and fake discriminator passes back-propagated one after the other';
    transient *= Math.max(tm, fm) * B;
  }
  const ck = checkpointing ? ' (gradient checkpointing: block inputs only)' : '';
  terms.push({ name: `activations, ${phase} phase${ck}`, gb: gib(act), formula: actFormula });
  if (transient > 0)
    terms.push({ name: 'recomputed block (checkpointing)', gb: gib(transient), formula: "one block's full saved set while its backward runs" });
  const numel = teacher.arch.kind === 'vector' ? teacher.arch.dim : latentNumel(teacher, inp.resolution);
  terms.push({
    name: 'loss tensors (fp32)',
    gb: gib(8 * Math.max(tm, fm) * B * numel * BYTES.fp32),
    formula: `~8 latents (x_g, eps, x_t, y_real, y_fake, targets) x ${Math.max(tm, fm)} x B x ${fmt(numel)} x 4 B`,
  });

  if (inp.textEncoders === 'resident' && teacher.text_encoders.length > 0) {
    const p = teacher.text_encoders.reduce((s, e) => s + e.params, 0);
    terms.push({
      name: 'text encoders (resident)',
      gb: gib(p * by.encoders),
      formula: `${teacher.text_encoders.map((e) => e.name).join(' + ')} = ${fmt(p)} x ${by.encoders} B`,
    });
  }
  if (inp.vae === 'resident' && teacher.vae) {
    terms.push({
      name: 'VAE (resident)',
      gb: gib(teacher.vae.params * by.encoders),
      formula: `${teacher.vae.name} ${fmt(teacher.vae.params)} x ${by.encoders} B`,
    });
  }
  const total = terms.reduce((s, t) => s + t.gb, 0);
  return { stage: stage.name, terms, total_gb: total, host_gb: gib(host), peak_phase: phase };
}
