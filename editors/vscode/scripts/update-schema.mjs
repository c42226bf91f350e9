// Writes schemas/sid-recipe.schema.json from the compiler's generator (the same JSON `sidc schema` prints).
// Run after `npm run build` from the repository root: node editors/vscode/scripts/update-schema.mjs
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const { recipeSchema } = await import(pathToFileURL(join(root, 'dist', 'compiler', 'schema', 'recipe.js')).href);
const out = join(here, '..', 'schemas', 'sid-recipe.schema.json');
writeFileSync(out + '.tmp', JSON.stringify(recipeSchema(), null, 2) + '\n');
renameSync(out + '.tmp', out);
process.stdout.write(`wrote ${out}\n`);
