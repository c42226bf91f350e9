// Canonical JSON (keys sorted at every level, no whitespace) and its sha256: the run identity of a graph
// and the equality used to find duplicate sweep points. `omit` drops keys by name at any depth.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown, omit: ReadonlySet<string> = new Set()): string {
  return (
    JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(o).sort()) if (!omit.has(key) && o[key] !== undefined) out[key] = o[key];
      return out;
    }) ?? 'null'
  );
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
