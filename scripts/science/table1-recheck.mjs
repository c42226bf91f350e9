// Recomputes every cell of Table 1 in miniature from its saved samples with scripts/reference/fid_from_npy.py
// (numpy + scipy's sqrtm, no sidc code) and compares with the score `sidc eval` printed for it:
//   node scripts/science/table1-recheck.mjs [RUNS_DIR] [SAMPLES]      # after scripts/science/table1.sh
// One line per sampler (cell, sampler, sidc's FID / alignment, the independent ones), then the largest FID
// difference; exit 1 when any differs by more than 0.01 + 1e-3 relative or an alignment differs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const runs = process.argv[2] ?? 'runs';
const samples = process.argv[3] ?? '5000';
const dir = join(runs, 'table1-scores', samples);
const npyRoot = join(dir, 'npy');
if (!existsSync(npyRoot)) {
  console.error(`no ${npyRoot}: run scripts/science/table1.sh first (it saves every cell's samples there)`);
  process.exit(1);
}
const python = process.env.SIDC_PYTHON || 'python3';
let worst = 0;
let bad = 0;
for (const cell of readdirSync(npyRoot).sort()) {
  const md = join(dir, `${cell}.md`);
  const printed = new Map(
    readFileSync(md, 'utf8')
      .split('\n')
      .filter((l) => /^\| (teacher|student) \|/.test(l))
      .map((l) => l.split('|').map((s) => s.trim()))
      .map((c) => [c[1] === 'teacher' ? `teacher-euler-${c[2]}` : `student-${c[2]}`, { fid: Number(c[5]), alignment: Number(c[6]) }]),
  );
  const r = spawnSync(python, ['scripts/reference/fid_from_npy.py', join(npyRoot, cell)], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`${cell}: ${r.stderr.trim()}`);
    process.exit(1);
  }
  for (const line of r.stdout.trim().split('\n')) {
    const x = JSON.parse(line);
    const p = printed.get(x.sampler);
    if (!p) continue;
    const d = Math.abs(p.fid - x.fid);
    worst = Math.max(worst, d);
    const ok = d <= 0.01 + 1e-3 * p.fid && Math.abs(p.alignment - x.alignment) < 1e-9;
    if (!ok) bad++;
    console.log(
      `${cell} ${x.sampler}: sidc ${p.fid.toFixed(2)} / ${p.alignment.toFixed(3)}, independent ${x.fid.toFixed(2)} / ${x.alignment.toFixed(3)}${ok ? '' : '  DIFFERS'}`,
    );
  }
}
console.log(`largest FID difference ${worst.toFixed(2)}; ${bad} cell(s) differ`);
process.exit(bad ? 1 : 0);
