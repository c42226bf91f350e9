// Hover over a real LSP connection: every setting key shows its doc, type, unit, default and paper
// reference from the settings table; keywords, units, labels and value forms have their own docs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { SETTINGS } from '../../compiler/recipe/settings.js';
import { LspClient, mark, positionAt, rangeAt } from './client.js';

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
});

let n = 0;
async function hover(source: string): Promise<{ hover: Hover | null; text: string; ranges: [number, number][] }> {
  const { text, positions, ranges } = mark(source);
  const uri = `file:///hover/h${n++}.sid`;
  await client.open(uri, text);
  const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionAt(text, positions[0]!) });
  return { hover: h, text, ranges };
}

const md = (h: Hover | null): string => (h?.contents as MarkupContent).value;

test('hover on a key inside its section: doc, type, default, paper reference, exact range', async () => {
  const { hover: h, text, ranges } = await hover('recipe r {\n  optimizer { <|e<|>ps|> = 1e-4 }\n}\n');
  assert.equal((h?.contents as MarkupContent).kind, 'markdown');
  assert.match(md(h), /\*\*optimizer\.eps\*\*: number \(> 0\)/);
  assert.match(md(h), /Adam epsilon/);
  assert.match(md(h), /default: `1e-8`/);
  assert.match(md(h), /paper: Section 4, Table 4/);
  assert.deepEqual(h?.range, rangeAt(text, ranges[0]!));
});

test('hover on a dotted key and its unit', async () => {
  const { hover: h } = await hover('recipe r {\n  train.len<|>gth = 1M images\n}\n');
  assert.match(md(h), /\*\*train\.length\*\*/);
  assert.match(md(h), /unit: `images`/);
  assert.match(md(h), /default: `1M images`/);
  const u = await hover('recipe r {\n  train.length = 1M ima<|>ges\n}\n');
  assert.match(md(u.hover), /\*\*images\*\* \(unit\)/);
  const s = await hover('recipe r {\n  tr<|>ain.length = 1M images\n}\n');
  assert.match(md(s.hover), /\*\*train\*\* \(section\)/);
});

test('hover on a section label shows the value and the setting it sets', async () => {
  const { hover: h } = await hover('recipe r {\n  precision bf<|>16 { }\n}\n');
  assert.match(md(h), /\*\*bf16\*\* \(value of `precision.policy`\)/);
  assert.match(md(h), /docs\/algorithm\.md §5/);
});

test('hover on keywords, weightings and distributions', async () => {
  assert.match(md((await hover('recipe a ext<|>ends b { }')).hover), /\*\*extends\*\* \(keyword\)/);
  assert.match(md((await hover('sweep s ov<|>er a { time.interval in [(0, 1)] }')).hover), /\*\*over\*\* \(keyword\)/);
  assert.match(md((await hover('recipe r { loss { weighting = one_min<|>us_t } }')).hover), /w\(t\) = 1 - t/);
  const d = md((await hover('recipe r { time { distribution = logit_nor<|>mal(ln(2), 1.6) on (0, 1/3) } }')).hover);
  assert.match(d, /\*\*logit_normal\*\* \(value of `time.distribution`\)/);
  assert.match(md((await hover('recipe r { time { distribution = uniform o<|>n (0, 1/3) } }')).hover), /Restricts a distribution/);
});

test('every setting of the table hovers with its own doc when written in its section', async () => {
  const lines = SETTINGS.map((s) => {
    const [section, ...rest] = s.path.split('.');
    return `  ${section} { ${rest.join('.')} = 1 }`;
  });
  const text = `recipe all {\n${lines.join('\n')}\n}\n`;
  const uri = 'file:///hover/all.sid';
  await client.open(uri, text);
  for (const [i, s] of SETTINGS.entries()) {
    const key = s.path.split('.').slice(1).join('.');
    const h = await client.request<Hover | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line: i + 1, character: lines[i]!.indexOf(`{ ${key}`) + 2 },
    });
    assert.ok(h, `no hover for ${s.path}`);
    assert.ok(md(h).startsWith(`**${s.path}**`), `${s.path}: ${md(h)}`);
    assert.ok(md(h).includes(s.doc), s.path);
    if (s.ref) assert.ok(md(h).includes(s.ref), s.path);
  }
});

test('no hover on punctuation or numbers', async () => {
  assert.equal((await hover('recipe r { optimizer { lr = 1e<|>-5 } }')).hover, null);
});

test('every keyword and unit of the language hovers with its doc', async () => {
  const text = [
    'import "./base.sid"',
    'abstract recipe a extends b {',
    '  hardware { devices = 8 x gpu(80 GB, 989 TFLOPS); gradient_checkpointing = true; offload = none }',
    '  hardware.vae = offloaded',
    '  data { resolution = 512 px }',
    '  train { length = 1M images; log_every = 10 steps }',
    '  time { distribution = uniform on (0, 1) }',
    '  stage adversarial after sid { }',
    '  x1 = false',
    '  y = 1 GiB',
    '  z = 1 MB',
    '}',
    'sweep s over a { grid { time.interval in [(0, 1)] } zip { train.seed in [1] } }',
  ].join('\n');
  const uri = 'file:///hover/keywords.sid';
  await client.open(uri, text);
  const words = ['import', 'abstract', 'recipe', 'extends', 'x', 'true', 'false', 'on', 'stage', 'after', 'sweep', 'over', 'grid', 'zip', 'in'];
  const units = ['GB', 'TFLOPS', 'px', 'images', 'steps', 'GiB', 'MB'];
  for (const w of [...words, ...units]) {
    const at = new RegExp(`(?<![A-Za-z_])${w}(?![A-Za-z0-9_])`).exec(text)!.index;
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionAt(text, at) });
    assert.ok(h, `no hover for ${w}`);
    assert.ok(md(h).startsWith(`**${w}** (${units.includes(w) ? 'unit' : 'keyword'})`), `${w}: ${md(h)}`);
  }
});
