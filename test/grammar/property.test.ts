// Property-style: random files from the grammar, with random whitespace, `;` and comments between any two
// tokens. For each: it parses without problems; fmt is idempotent; parse(fmt(x)) has the same tree as
// parse(x) (locations aside); every comment survives, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSid, parseSid } from '../../grammar/index.js';
import { shape } from './util.js';

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) % n;
  };
}

type Tok = string;

function gen(rand: (n: number) => number): Tok[] {
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
  const names = ['a', 'lr', 'teacher', 'time', 'after', 'on', 'in', 'grid', 'zip', 'images', 'x', 'stage', 'b_2'];
  const values = ['t', 'bf16', 'fresh', 'uniform', 'after'];
  // A unit or `on` can start an entry after a value only where it cannot continue the value
  // (`images = `, `images.x`, `images {`): sections named after units take no label here.
  const sectionNames = ['a', 'teacher', 'time', 'after', 'in', 'grid', 'zip', 'x', 'stage'];
  const key = (): Tok[] => (rand(3) === 0 ? [pick(names), '.', pick(names)] : [pick(names)]);
  const expr = (d: number): Tok[] => {
    const atom = (): Tok[] => {
      const r = rand(d > 2 ? 5 : 11);
      if (r === 0) return [pick(['1', '0.5', '1e-5', '10k', '2.5k', '1M', '3E+2'])];
      if (r === 1) return [pick(['"s"', '"a\\"b"', '"\\t"', '""'])];
      if (r === 2) return [pick(['true', 'false'])];
      if (r === 3) return [pick(values)];
      if (r === 4) return [pick(['1', '2']), pick(['px', 'GB', 'GiB', 'MB', 'images', 'steps', 'TFLOPS'])];
      if (r === 5) return [pick(['ln', 'gpu', 'f']), '(', ...args(d), ')'];
      if (r === 6) return ['(', ...expr(d + 1), ')'];
      if (r === 7) return ['(', ...expr(d + 1), ',', ...expr(d + 1), ')'];
      if (r === 8) {
        const xs = args(d);
        return ['[', ...xs, ...(xs.length > 0 && rand(3) === 0 ? [','] : []), ']'];
      }
      if (r === 9) return ['-', ...atom()];
      return [...atom(), pick(['+', '-', '*', '/', 'x', '^']), ...atom()];
    };
    const e = atom();
    if (rand(6) === 0) return [...e, pick(['+', '*', 'x', '-']), ...expr(d + 1)];
    if (rand(10) === 0) return [...e, 'on', '(', ...expr(d + 1), ',', ...expr(d + 1), ')'];
    return e;
  };
  const args = (d: number): Tok[] => {
    const n = rand(3);
    const out: Tok[] = [];
    for (let i = 0; i < n; i++) out.push(...(i > 0 ? [','] : []), ...expr(d + 1));
    return out;
  };
  const block = (d: number): Tok[] => {
    const out: Tok[] = ['{'];
    const n = rand(d > 1 ? 3 : 6);
    for (let i = 0; i < n; i++) {
      const r = rand(d > 1 ? 2 : 5);
      if (r === 0) out.push(...key(), '=', ...expr(0));
      else if (r === 1) out.push('w', '(', 't', ')', '=', ...expr(0));
      else if (r === 2) {
        const name = pick(names);
        out.push(name, ...(sectionNames.includes(name) && rand(2) ? [pick(names)] : []), ...block(d + 1));
      } else if (r === 3) out.push('stage', pick(['sid', 'adv']), ...(rand(2) ? ['after', 'sid', ...(rand(2) ? [',', 'b'] : [])] : []), ...block(d + 1));
      else out.push(...key(), '=', ...expr(0));
      if (rand(3) === 0) out.push(';');
    }
    out.push('}');
    return out;
  };
  const list = (): Tok[] => ['[', ...args(0), ']'];
  const axis = (): Tok[] => [...key(), 'in', ...list()];
  const file: Tok[] = [];
  const n = 1 + rand(4);
  for (let i = 0; i < n; i++) {
    const r = rand(4);
    if (r === 0) file.push('import', '"base.sid"');
    else if (r === 3) {
      file.push('sweep', 's', 'over', 'r', '{');
      for (let k = rand(4); k > 0; k--) {
        if (rand(3) === 0) {
          file.push(pick(['grid', 'zip']), '{');
          for (let j = rand(3); j > 0; j--) file.push(...axis(), ...(rand(2) ? [';'] : []));
          file.push('}');
        } else file.push(...axis());
      }
      file.push('}');
    } else file.push(...(rand(3) === 0 ? ['abstract'] : []), 'recipe', 'r', ...(rand(2) ? ['extends', 'base'] : []), ...block(0));
  }
  return file;
}

function render(toks: Tok[], rand: (n: number) => number): string {
  let out = '';
  let c = 0;
  let prev = '';
  for (const t of toks) {
    // A path does not break after its dot (docs/language.md); anywhere else, anything goes.
    const r = prev === '.' ? 29 : rand(30);
    prev = t;
    const sep = r < 14 ? ' ' : r < 22 ? '\n  ' : r < 24 ? '\n\n' : r < 26 ? ` /* c${c++} */ ` : r < 28 ? ` // c${c++}\n` : '';
    // Two tokens glued with no space must not merge into one (names, numbers, `/` `*`).
    const glue = sep === '' && /[\w"/*]$/.test(out) && /^[\w"/*]/.test(t) ? ' ' : sep;
    out += glue + t;
  }
  return rand(2) ? `// header\n${out}\n// footer\n` : out;
}

test('random files: fmt is idempotent and keeps the tree and every comment', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const rand = rng(seed);
    const src = render(gen(rand), rand);
    const a = parseSid(src, 'p.sid');
    assert.deepEqual(a.problems, [], `seed ${seed}:\n${src}`);
    const once = formatSid(src, 'p.sid');
    const b = parseSid(once.text, 'p.sid');
    assert.deepEqual(b.problems, [], `seed ${seed}: printed text does not parse:\n${src}\n---\n${once.text}`);
    assert.deepEqual(shape(b.file), shape(a.file), `seed ${seed}: tree changed:\n${src}\n---\n${once.text}`);
    assert.deepEqual(
      b.file.comments.map((c) => c.text),
      a.file.comments.map((c) => c.text),
      `seed ${seed}: comments`,
    );
    assert.equal(formatSid(once.text, 'p.sid').text, once.text, `seed ${seed}: not idempotent:\n${src}\n---\n${once.text}`);
  }
});
