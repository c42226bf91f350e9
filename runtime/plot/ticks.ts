// Axis ranges and tick positions: "nice" steps of 1, 2 or 5 x 10^k for linear axes, decades (with 2 and
// 5 in between when the range is short) for log axes, and compact labels for them.

/** Range of the finite values (and optional extra values), padded by `pad` of its width; never empty. */
export function dataRange(values: Iterable<number>, pad = 0.05): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - d, hi + d];
  }
  const d = (hi - lo) * pad;
  return [lo - d, hi + d];
}

/** Ticks inside [lo, hi] at a 1-2-5 step giving about `target` ticks. */
export function linearTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [lo];
  const raw = (hi - lo) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.ceil(lo / step - 1e-9);
  const out: number[] = [];
  for (let k = first; k * step <= hi + step * 1e-9; k++) out.push(+(k * step).toPrecision(12));
  return out;
}

/** Ticks for a log axis over [lo, hi] (lo > 0): decades, thinned when many, with 2 and 5 when few. */
export function logTicks(lo: number, hi: number): number[] {
  const e0 = Math.floor(Math.log10(lo));
  const e1 = Math.ceil(Math.log10(hi));
  const decades = e1 - e0;
  const every = Math.max(1, Math.ceil(decades / 8));
  const mults = Math.log10(hi / lo) <= 2.6 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = e0; e <= e1; e++) {
    if ((e - e0) % every !== 0) continue;
    for (const m of mults) {
      const v = +(m * 10 ** e).toPrecision(12);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** Short label: plain decimals for ordinary magnitudes, 1e-4 style beyond. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const [m, e] = v.toExponential().split('e') as [string, string];
    return `${+(+m).toPrecision(3)}e${+e}`;
  }
  return String(+v.toPrecision(6));
}

/**
 * Labels for one axis, consistent across its ticks: 50k/100k/150k (or M) for large round numbers such
 * as step counts, exponents when every tick is tiny or huge, plain decimals otherwise.
 */
export function formatTicks(ticks: number[]): string[] {
  const big = Math.max(0, ...ticks.map(Math.abs));
  for (const [unit, suffix, from] of [[1e6, 'M', 1e6], [1e3, 'k', 1e4]] as const) {
    if (big >= from && big < 1e4 * unit && ticks.every((t) => Number.isInteger(+(t / (unit / 10)).toFixed(6)))) {
      return ticks.map((t) => (t === 0 ? '0' : `${+(t / unit).toPrecision(6)}${suffix}`));
    }
  }
  return ticks.map(formatTick);
}
