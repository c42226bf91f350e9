// Number and string literal values: `10k` -> 10000, `"a\"b"` -> a"b, and back (the printer re-escapes).

/** The value of a number as written (already validated by the lexer's VALID_NUMBER). k = 1e3, M = 1e6. */
export function numberValue(text: string): number {
  const last = text.charCodeAt(text.length - 1);
  if (last >= 48 && last <= 57 && !text.includes('e') && !text.includes('E')) return Number(text); // 42, 0.999
  const m = /^(\d+(?:\.\d+)?)(?:[eE]([+-]?\d+))?([kM]?)$/.exec(text);
  if (m === null) return Number.NaN;
  // Shift the exponent instead of multiplying, so 1.1k is exactly 1100 (1.1 * 1000 is not).
  const exp = Number(m[2] ?? '0') + (m[3] === 'k' ? 3 : m[3] === 'M' ? 6 : 0);
  return Number(`${m[1]}e${exp}`);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '"': '"', '\\': '\\' };

/** Unescapes the body of a string token (without its quotes). Reports unknown escapes by offset in the body. */
export function unescapeString(body: string, onBadEscape: (offset: number, seq: string) => void): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) {
      onBadEscape(i, '\\');
      break;
    }
    if (next === 'u') {
      const m = /^u\{([0-9a-fA-F]{1,6})\}|^u([0-9a-fA-F]{4})/.exec(body.slice(i + 1));
      if (m !== null && Number.parseInt(m[1] ?? m[2]!, 16) <= 0x10ffff) {
        out += String.fromCodePoint(Number.parseInt(m[1] ?? m[2]!, 16));
        i += m[0].length;
        continue;
      }
    } else if (next in ESCAPES) {
      out += ESCAPES[next];
      i++;
      continue;
    }
    onBadEscape(i, `\\${next}`);
    out += next;
    i++;
  }
  return out;
}

/** A string literal, quotes included, that unescapes to `value`. */
export function quoteString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}
