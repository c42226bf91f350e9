// Completion over a real LSP connection, at `<|>` in half-typed recipes: keys of the current section,
// teacher families, precisions, weightings, distributions, units, stage names and visible recipes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompletionItem, CompletionList, TextEdit } from 'vscode-languageserver-protocol';
import { DISTRIBUTIONS } from '../../compiler/recipe/distributions.js';
import { SETTINGS, TEACHER_FAMILIES, WEIGHTINGS } from '../../compiler/recipe/settings.js';
import { LspClient, mark, positionAt, rangeAt } from './client.js';

let client: LspClient;
let dir: string;
before(async () => {
  client = await LspClient.start();
  dir = mkdtempSync(join(tmpdir(), 'sidc-lsp-complete-'));
});
after(async () => {
  await client.stop();
});

let n = 0;
async function complete(source: string, file?: string): Promise<{ items: CompletionItem[]; text: string; ranges: [number, number][] }> {
  const { text, positions, ranges } = mark(source);
  const uri = file ? pathToFileURL(file).href : `file:///complete/c${n++}.sid`;
  await client.open(uri, text);
  const r = await client.request<CompletionItem[] | CompletionList | null>('textDocument/completion', {
    textDocument: { uri },
    position: positionAt(text, positions[0]!),
  });
  const items = Array.isArray(r) ? r : (r?.items ?? []);
  return { items, text, ranges };
}
const labels = (items: CompletionItem[]): string[] => items.map((i) => i.label);

test('keys of the section the cursor is in, replacing the typed word', async () => {
  const { items, text, ranges } = await complete('recipe r {\n  optimizer { <|be<|>|> }\n}\n');
  const optimizerKeys = SETTINGS.filter((s) => s.path.startsWith('optimizer.')).map((s) => s.path.slice('optimizer.'.length));
  assert.deepEqual(labels(items).sort(), [...optimizerKeys].sort());
  const beta2 = items.find((i) => i.label === 'beta2')!;
  assert.equal((beta2.textEdit as TextEdit).newText, 'beta2 = ${1:0.999}');
  assert.deepEqual((beta2.textEdit as TextEdit).range, rangeAt(text, ranges[0]!));
  assert.match((beta2.documentation as { value: string }).value, /Adam beta2/);
});

test('teacher keys follow the family in the label', async () => {
  const teacherKeys = (family?: string): string[] =>
    SETTINGS.filter((s) => s.path.startsWith('teacher.') && (!family || !s.families || s.families.includes(family)))
      .map((s) => s.path.slice(8))
      .sort();
  const flux = labels((await complete('recipe r {\n  teacher flux { <|> }\n}')).items).sort();
  assert.deepEqual(flux, teacherKeys('flux'));
  assert.ok(!flux.includes('dim') && flux.includes('checkpoint'));
  const mlp = labels((await complete('recipe r {\n  teacher mlp { <|> }\n}')).items).sort();
  assert.deepEqual(mlp, teacherKeys('mlp'));
  assert.ok(mlp.includes('width') && mlp.includes('dim'));
});

test('keys after a dotted prefix, and sections at recipe level', async () => {
  assert.deepEqual(
    labels((await complete('recipe r {\n  hardware.<|>\n}')).items).sort(),
    SETTINGS.filter((s) => s.path.startsWith('hardware.'))
      .map((s) => s.path.slice(9))
      .sort(),
  );
  const top = labels((await complete('recipe r {\n  <|>\n}')).items);
  for (const w of ['teacher', 'optimizer', 'time', 'loss', 'stage', 'optimizer.lr']) assert.ok(top.includes(w), w);
});

test('teacher families after `teacher`, precisions after `precision`', async () => {
  assert.deepEqual(labels((await complete('recipe r {\n  teacher <|>\n}')).items), [...TEACHER_FAMILIES]);
  assert.deepEqual(labels((await complete('recipe r {\n  precision b<|>\n}')).items), ['fp32', 'amp', 'bf16']);
});

test("values by the key's type: enums, weightings, distributions, guidance", async () => {
  assert.deepEqual(labels((await complete('recipe r { hardware { shard = <|> } }')).items), ['none', 'ddp', 'fsdp']);
  assert.deepEqual(labels((await complete('recipe r { loss { weighting = <|> } }')).items), [...WEIGHTINGS]);
  const dists = (await complete('recipe r { time { distribution = <|> } }')).items;
  assert.deepEqual(
    labels(dists),
    DISTRIBUTIONS.map((d) => d.name),
  );
  assert.match((dists.find((d) => d.label === 'logit_normal')!.textEdit as TextEdit).newText, /^logit_normal\(\$\{1:[\d.]+\}, \$\{2:[\d.]+\}\)$/);
  assert.deepEqual(labels((await complete('recipe r { guidance { teacher = <|> } }')).items), ['cfg', 'embedded', 'none']);
  assert.deepEqual(labels((await complete('recipe r { hardware { gradient_checkpointing = <|> } }')).items), ['true', 'false']);
});

test('the unit of the key after a number, then the next keys', async () => {
  const labs = labels((await complete('recipe r {\n  train { length = 10k <|> }\n}')).items);
  assert.equal(labs[0], 'images');
  assert.ok(labs.includes('seed') && !labs.includes('px'));
});

test('stage kinds, earlier stages after `after`, nothing in comments and strings', async () => {
  assert.deepEqual(labels((await complete('recipe r {\n  stage <|>\n}')).items), ['teach', 'sid', 'adversarial', 'evaluate', 'export']);
  assert.ok(labels((await complete('recipe r {\n  stage distill { }\n  stage adversarial after d<|>\n}')).items).includes('distill'));
  assert.deepEqual((await complete('recipe r {\n  // opt<|>\n}')).items, []);
  assert.deepEqual((await complete('recipe r {\n  data { prompts = "da<|>" }\n}')).items, []);
});

test('top-level keywords and recipes visible through imports for extends and over', async () => {
  assert.deepEqual(labels((await complete('<|>')).items), ['import', 'recipe', 'abstract', 'sweep']);
  writeFileSync(join(dir, 'base.sid'), 'abstract recipe sid_dit {\n  optimizer { lr = 1e-5 }\n}\n');
  const file = join(dir, 'child.sid');
  assert.deepEqual(labels((await complete('import "./base.sid"\nrecipe local { }\nrecipe child extends <|>', file)).items), ['local', 'sid_dit']);
  assert.deepEqual(labels((await complete('import "./base.sid"\nsweep s over s<|>', join(dir, 'sweep.sid'))).items), ['sid_dit']);
});

test('a typed space asks only for what the space calls for', async () => {
  const spaced = async (source: string): Promise<string[]> => {
    const { text, positions } = mark(source);
    const uri = `file:///complete/s${n++}.sid`;
    await client.open(uri, text);
    const r = await client.request<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: positionAt(text, positions[0]!),
      context: { triggerKind: 2, triggerCharacter: ' ' },
    });
    return labels(r);
  };
  assert.deepEqual(await spaced('recipe r {\n  teacher <|>\n}'), [...TEACHER_FAMILIES]);
  assert.deepEqual(await spaced('recipe r {\n  train { length = 10k <|> }\n}'), ['images']);
  assert.deepEqual(await spaced('recipe r {\n  optimizer { lr = 1e-5 <|> }\n}'), []);
  assert.deepEqual(await spaced('recipe r {\n  <|>\n}'), []);
});
