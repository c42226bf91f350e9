// A small seeded PRNG whose whole state is one uint32, so a training run can save and restore it exactly.
// splitmix32-style mixing; normals by Box-Muller. Used for weight init, data shuffling and per-step tf seeds
// of the DiT teacher and the eval classifier, and for tiny test teachers.
// Not the run's draw stream (that is `Rng`, prng.ts): it stays a separate generator because the shipped
// weights (examples/teachers/dit-mnist.safetensors, examples/eval/mnist-classifier.safetensors) and the
// tests' tiny teachers were drawn from it - moving them to `Rng` would change those numbers.

export class SplitMix32 {
  constructor(public state: number) {
    this.state = state >>> 0;
  }

  /** Next uint32. */
  nextU32(): number {
    let z = (this.state = (this.state + 0x9e3779b9) >>> 0);
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Standard normal (Box-Muller; the second value is dropped to keep the state a single integer). */
  normal(): number {
    const u1 = (this.nextU32() + 1) / 4294967297; // (0, 1]
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A fresh seed for tf's seeded random ops (tf.randomNormal(..., seed)). */
  seed(): number {
    return this.nextU32();
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i]!;
      a[i] = a[j]!;
      a[j] = tmp;
    }
    return a;
  }
}
