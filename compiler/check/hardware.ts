// Which engine + hardware combinations exist (docs/distributed.md), checked before a run:
//   tfjs  - one process on the CPU: `hardware.devices` with more than one device has nothing to run on; the
//           paper teachers' text encoders (`data.text = encoder` for sana, sd3, flux) are the torch engine's;
//   torch - N x cpu is N data-parallel processes over gloo, N x gpu is N over nccl; `shard = fsdp` needs
//           CUDA GPUs (FSDP in Debian's torch 1.13 is CUDA-only), so fsdp on cpu devices cannot run.
// Only a recipe that names its engine (`hardware.engine`) is held to it: `sidc run --engine` re-checks
// the chosen engine's combinations itself (runtime/torch/hardware.ts).
// Not refused, because each engine executes them (docs/distributed.md "What runs where"): on torch,
// `gradient_checkpointing` (blocks under torch.utils.checkpoint) and `offload = cpu` (Adam moments and step on
// the host; FSDP's streaming of weights is what is not there, and fsdp is refused on its own); on tfjs every
// state already lives in host memory, and its tape is not checkpointed (the plan's CPU model counts the tape).
import { diag } from '../diagnostics/make.js';
import type { CheckContext } from './context.js';

export function engineHardware(c: CheckContext): void {
  const engine = c.str('hardware.engine');
  if (!engine || !c.isSet('hardware.engine')) return;
  const dev = c.obj('hardware.devices');
  const count = typeof dev?.count === 'number' ? dev.count : 1;
  const kind = typeof dev?.kind === 'string' ? dev.kind : 'cpu';
  const devices = `${count} x ${kind}`;
  if (engine === 'tfjs' && count > 1) {
    const p = c.place('hardware.devices');
    c.out.push(
      diag(
        'SID3036',
        p.loc,
        {
          setting: `hardware.devices = ${devices}`,
          engine,
          detail: 'the tfjs engine runs one process',
          help: 'write `hardware.engine = torch` (data parallel over gloo or nccl), or `hardware.devices = 1 x cpu(16 GB)`',
        },
        { related: p.related },
      ),
    );
  }
  const family = c.str('teacher.family') ?? '';
  if (engine === 'tfjs' && c.obj('data.text')?.mode === 'encoder' && ['sana', 'sd3', 'flux'].includes(family)) {
    const p = c.place('data.text');
    c.out.push(
      diag(
        'SID3036',
        p.loc,
        {
          setting: 'data.text = encoder',
          engine,
          detail: `the ${family} teacher's text encoders (T5, CLIP, Gemma-2) run on the torch engine only`,
          help: 'write `hardware.engine = torch`, or encode once with `sidc encode-prompts` and write `data.text = precomputed("DIR")`',
        },
        { related: p.related },
      ),
    );
  }
  if (engine === 'torch' && c.str('hardware.shard') === 'fsdp' && kind === 'cpu') {
    const p = c.place('hardware.shard');
    c.out.push(
      diag(
        'SID3036',
        p.loc,
        {
          setting: 'hardware.shard = fsdp',
          engine,
          detail: `FSDP needs CUDA GPUs, and the recipe asks for ${devices}`,
          help:
            `remove \`shard = fsdp\` ` +
            `(${count > 1 ? `then ${count} cpu processes each hold the nets: DDP over gloo` : 'one process holds the nets'}), ` +
            `or ask for GPUs: \`devices = ${count} x gpu(80 GB)\``,
        },
        { related: p.related },
      ),
    );
  }
}
