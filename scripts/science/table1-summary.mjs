// Prints Table 1 in miniature from the scores scripts/science/table1.sh wrote (RUNS/table1-scores/SAMPLES/*.md, the tables
// `sidc eval` prints) and each run's graph.json (its CFG scale) and snapshots (the image count of best-fid):
// teacher Euler rows per CFG, then the student at 1 and 4 steps per CFG and snapshot, mean ± sd over the seeds.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const runs = process.argv[2] ?? 'runs';
const samples = process.argv[3] ?? '1000';
const dir = join(runs, 'table1-scores', samples);
if (!existsSync(dir)) {
  console.error(`no ${dir}: run scripts/science/table1.sh first (its PER_CLASS x 10 = SAMPLES)`);
  process.exit(1);
}

/** Rows of a printed `sidc eval` table: {sampler, steps, cfg, samples, fid, alignment}. */
function rowsOf(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /^\| (teacher|student) \|/.test(l))
    .map((l) => {
      const c = l.split('|').map((s) => s.trim());
      return { sampler: c[1], steps: Number(c[2]), cfg: c[3], samples: Number(c[4]), fid: Number(c[5]), alignment: Number(c[6]) };
    });
}

const stat = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return { m, sd };
};
const fmt = (xs, d) => {
  const { m, sd } = stat(xs);
  return xs.length > 1 ? `${m.toFixed(d)} ± ${sd.toFixed(d)}` : m.toFixed(d);
};

const lines = ['| sampler | CFG | steps | samples | FID | prompt alignment | images (best-fid snapshot) |', '|:--|--:|--:|--:|--:|--:|:--|'];
// teacher rows at this sample count first; a step count scored only at another count comes from the largest one
const counts = readdirSync(join(runs, 'table1-scores'))
  .filter((n) => /^\d+$/.test(n))
  .sort((a, b) => (a === samples ? -1 : b === samples ? 1 : Number(b) - Number(a)));
for (const cfg of ['1.5', '4.5']) {
  const byStep = new Map();
  for (const n of counts) {
    const d = join(runs, 'table1-scores', n);
    for (const name of readdirSync(d).filter((x) => x.startsWith(`teacher-cfg${cfg}`) && x.endsWith('.md')))
      for (const r of rowsOf(join(d, name)).filter((x) => x.sampler === 'teacher')) if (!byStep.has(r.steps)) byStep.set(r.steps, r);
  }
  for (const r of [...byStep.values()].sort((a, b) => a.steps - b.steps))
    lines.push(`| teacher Euler | ${cfg} | ${r.steps} | ${r.samples} | ${r.fid.toFixed(1)} | ${r.alignment.toFixed(3)} | - |`);
}
const groups = new Map();
for (const name of readdirSync(dir).filter((n) => n.includes('@'))) {
  const [run, snap] = name.replace(/\.md$/, '').split('@');
  const graph = JSON.parse(readFileSync(join(runs, run, 'graph.json'), 'utf8'));
  const cfg = String(graph.config.guidance.teacher.scale);
  const images = snap === 'best-fid' ? JSON.parse(readFileSync(join(runs, run, 'snapshots', 'best-fid.json'), 'utf8')).images : null;
  for (const r of rowsOf(join(dir, name))) {
    const key = `${cfg}|${snap}|${r.steps}`;
    const g = groups.get(key) ?? { cfg, snap, steps: r.steps, samples: r.samples, fid: [], alignment: [], images: [] };
    g.fid.push(r.fid);
    g.alignment.push(r.alignment);
    if (images !== null) g.images.push(images);
    groups.set(key, g);
  }
}
for (const g of [...groups.values()].sort((a, b) => a.cfg.localeCompare(b.cfg) || b.snap.localeCompare(a.snap) || a.steps - b.steps))
  lines.push(
    `| SiD student, ${g.snap} snapshot (${g.fid.length} seeds) | ${g.cfg} | ${g.steps} | ${g.samples} | ${fmt(g.fid, 1)} | ${fmt(g.alignment, 3)} | ${g.images.join(', ') || '-'} |`,
  );
console.log(lines.join('\n'));
