// What a checkpoint holds, from its header alone: parameter counts and bytes by dtype and by top-level
// module, the largest tensors, metadata. Backs `sidc inspect` and memory planning before a load.
import type { SafetensorsDtype } from './safetensors-dtypes.js';
import type { SafetensorsHeader } from '../../common/safetensors-header.js';
import { getOwn, setOwn } from '../../common/own-keys.js';

interface Tally {
  tensors: number;
  parameters: number;
  bytes: number;
}

interface SafetensorsSummary {
  file: string;
  fileBytes: number;
  total: Tally;
  byDtype: Partial<Record<SafetensorsDtype, Tally>>;
  /** by the first dotted component of the name (e.g. transformer_blocks, pos_embed) */
  byPrefix: Record<string, Tally>;
  largest: { name: string; dtype: SafetensorsDtype; shape: number[]; bytes: number }[];
  metadata: Record<string, string>;
}

const add = (t: Tally | undefined, params: number, bytes: number): Tally => ({
  tensors: (t?.tensors ?? 0) + 1,
  parameters: (t?.parameters ?? 0) + params,
  bytes: (t?.bytes ?? 0) + bytes,
});

export function summarizeSafetensors(h: SafetensorsHeader, largestN = 10): SafetensorsSummary {
  let total: Tally = { tensors: 0, parameters: 0, bytes: 0 };
  const byDtype: Partial<Record<SafetensorsDtype, Tally>> = {};
  const byPrefix: Record<string, Tally> = {};
  for (const [name, t] of Object.entries(h.tensors)) {
    total = add(total, t.numel, t.byteLength);
    byDtype[t.dtype] = add(byDtype[t.dtype], t.numel, t.byteLength);
    const prefix = name.split('.')[0]!;
    setOwn(byPrefix, prefix, add(getOwn(byPrefix, prefix), t.numel, t.byteLength));
  }
  const largest = Object.entries(h.tensors)
    .sort((a, b) => b[1].byteLength - a[1].byteLength || (a[0] < b[0] ? -1 : 1))
    .slice(0, largestN)
    .map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, bytes: t.byteLength }));
  return { file: h.file, fileBytes: h.fileBytes, total, byDtype, byPrefix, largest, metadata: h.metadata };
}

/** 1536 -> "1.5 KiB"; 3.2e9 -> "3.0 GiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** 1.6e9 -> "1.60B"; 7.3e6 -> "7.30M". */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** Plain-text report, one fact per line, for a terminal. */
export function formatSummary(s: SafetensorsSummary): string {
  const tally = (t: Tally): string =>
    `${String(t.tensors).padStart(6)} tensors  ${formatCount(t.parameters).padStart(8)} params  ${formatBytes(t.bytes).padStart(10)}`;
  const lines = [`${s.file}: ${formatBytes(s.fileBytes)}`, `  total ${tally(s.total)}`, '  by dtype:'];
  for (const [d, t] of Object.entries(s.byDtype)) lines.push(`    ${d.padEnd(8)} ${tally(t)}`);
  lines.push('  by module:');
  const prefixes = Object.entries(s.byPrefix).sort((a, b) => b[1].bytes - a[1].bytes);
  for (const [p, t] of prefixes.slice(0, 20)) lines.push(`    ${p.padEnd(28)} ${tally(t)}`);
  if (prefixes.length > 20) lines.push(`    ... ${prefixes.length - 20} more`);
  lines.push('  largest tensors:');
  for (const t of s.largest) lines.push(`    ${t.name}  ${t.dtype} [${t.shape.join(', ')}]  ${formatBytes(t.bytes)}`);
  const meta = Object.entries(s.metadata);
  if (meta.length) {
    lines.push('  metadata:');
    for (const [k, v] of meta) lines.push(`    ${k} = ${v.length > 120 ? v.slice(0, 117) + '...' : v}`);
  }
  return lines.join('\n') + '\n';
}
