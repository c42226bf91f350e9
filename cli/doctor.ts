// sidc doctor: what this machine offers the runtime (backend, threads, SIMD, memory, versions).
import os from 'node:os';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import type { CommandModule } from './command.js';
import { initBackend, type BackendName } from '../runtime/tfjs/backend/select.js';
import { torchDoctorLines } from '../runtime/torch/doctor.js';

async function canImport(pkg: string): Promise<boolean> {
  try {
    await import(pkg);
    return true;
  } catch {
    return false;
  }
}

export const doctorCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('doctor')
      .description('report both engines: the tfjs backend (threads, SIMD, memory) and the torch engine (python, torch, devices, bf16, gloo/nccl)')
      .option('--backend <name>', 'check one backend: tensorflow | wasm | cpu')
      .action(async (flags: { backend?: string }) => {
        const b = await initBackend(flags.backend ? { prefer: flags.backend as BackendName } : {});
        const tfnode = (await canImport('@tensorflow/tfjs-node-gpu'))
          ? 'tfjs-node-gpu'
          : (await canImport('@tensorflow/tfjs-node'))
            ? 'tfjs-node'
            : 'not installed (optional; needs network access at install time)';
        const mem = tf.memory();
        const lines = [
          ['backend', b.name],
          ['tfjs-core', b.tfjsVersion],
          ['threads', String(b.threads)],
          ['SIMD', b.simd === null ? 'n/a' : b.simd ? 'yes' : 'no'],
          ['fast wasm kernels', b.fastKernels ? 'registered' : 'no'],
          ['tensorflow (native)', tfnode],
          ['CPU', `${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}`],
          ['memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(os.freemem() / 2 ** 30).toFixed(1)} GiB free`],
          ['tfjs tensors', `${mem.numTensors} (${(mem.numBytes / 2 ** 20).toFixed(1)} MiB)`],
          ['node', process.version],
        ];
        lines.unshift(['engine tfjs', 'built in']);
        lines.push(...torchDoctorLines());
        for (const [k, v] of lines) io.stdout(`${k!.padEnd(20)} ${v}\n`);
        setExitCode(0);
      });
  },
};
