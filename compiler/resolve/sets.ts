// `--set key=value` overrides: the key must name a setting, the value is parsed as a .sid expression.
// Each argument becomes a pseudo file `<--set N>` holding its text, so diagnostics point into it.
import { checkPath } from '../collect/collect.js';
import { diag } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Assignment } from '../model.js';
import { parseValue } from '../load/parse.js';
import { shiftLocs } from '../util/loc.js';

export function parseSets(args: readonly string[], sources: Map<string, string>, out: Diagnostic[]): Assignment[] {
  const result: Assignment[] = [];
  args.forEach((arg, i) => {
    const file = `<--set ${i + 1}>`;
    sources.set(file, arg);
    const eq = arg.indexOf('=');
    const whole = { file, range: { start: { line: 0, column: 0, offset: 0 }, end: { line: 0, column: arg.length, offset: arg.length } } };
    if (eq <= 0 || eq === arg.length - 1) {
      out.push(diag('SID1011', whole, { arg }));
      return;
    }
    const key = arg.slice(0, eq).trim();
    const keyStart = arg.indexOf(key);
    const keyLoc = {
      file,
      range: { start: { line: 0, column: keyStart, offset: keyStart }, end: { line: 0, column: keyStart + key.length, offset: keyStart + key.length } },
    };
    if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(key)) {
      out.push(diag('SID1011', keyLoc, { arg }));
      return;
    }
    const keyOk = checkPath(key, keyLoc, out);
    const local: Diagnostic[] = [];
    const expr = parseValue(arg.slice(eq + 1), file, local);
    for (const d of local) out.push(shiftLocs(d, eq + 1, file));
    if (!expr || !keyOk) return;
    shiftLocs(expr, eq + 1, file);
    result.push({ path: key, keyLoc, value: { expr }, valueLoc: expr.loc, origin: '--set' });
  });
  return result;
}
