// Walks the scanner's tokens with the grammar's statement structure (grammar/ast.ts) and says, for every
// identifier, what it is (a setting key, a section label, an enum value, a recipe reference, ...), and, at
// the end of the walk, what may come next. Hover reads the roles; completion walks up to the cursor and
// reads the expectation. It tolerates any broken input: it guides the editor, it never judges the recipe.
import { UNITS } from '../../grammar/ast.js';
import { SECTIONS_BY_NAME, SETTINGS_BY_PATH } from '../recipe/settings.js';
import type { Token } from './scan.js';

export type Role =
  | { kind: 'keyword'; word: string }
  | { kind: 'key'; path: string; segment: number; of: number } // `path` is the full setting path the key resolves to
  | { kind: 'section'; name: string; path: string }
  | { kind: 'label'; section: string; value: string; labelKey?: string }
  | { kind: 'stage'; name: string }
  | { kind: 'stage-ref'; name: string }
  | { kind: 'value'; name: string; setting?: string }
  | { kind: 'callee'; name: string; setting?: string }
  | { kind: 'unit'; unit: string; setting?: string }
  | { kind: 'recipe-decl'; name: string }
  | { kind: 'recipe-ref'; name: string }
  | { kind: 'sweep-decl'; name: string }
  | { kind: 'function'; name: string }
  | { kind: 'param'; name: string };

/** What may come next at the end of the walk (the cursor). */
export type Expect =
  | { kind: 'top' }
  | { kind: 'recipe-keyword' } // after `abstract`
  | { kind: 'name' } // naming a new recipe or sweep: nothing to offer
  | { kind: 'extends-or-body' }
  | { kind: 'recipe-ref'; self?: string } // `self`: the recipe being declared (it cannot extend itself)
  | { kind: 'over' }
  | { kind: 'import-path' }
  | { kind: 'key'; prefix: string; typed: string[]; inSweep: boolean; stageNames: string[]; label?: string } // label: of the enclosing section (`teacher gmm {`)
  | { kind: 'label'; section: string; labelKey?: string }
  | { kind: 'stage-name' }
  | { kind: 'stage-after'; stageNames: string[] }
  | {
      kind: 'value';
      setting?: string;
      complete: boolean;
      afterNumber: boolean;
      call?: { name: string; arg: number };
      prefix: string;
      inSweep: boolean;
      stageNames: string[];
    }
  | { kind: 'none' };

type Frame =
  | { kind: 'top' }
  | { kind: 'body'; prefix: string; nest: string; label?: string } // prefix: of bare keys; nest: of nested sections
  | { kind: 'sweep' }
  | { kind: 'group' }
  | { kind: 'other' };

type Call = { name?: string; arg: number };
type State =
  | { s: 'start' }
  | { s: 'path'; segs: string[]; first: number }
  | { s: 'dot'; segs: string[]; first: number }
  | { s: 'label'; section: string; prefix: string; label: string }
  | { s: 'value'; setting?: string; calls: Call[]; complete: boolean; afterNumber: boolean }
  | { s: 'stage'; name?: string; after: boolean; comma: boolean }
  | { s: 'funcdef'; step: number }
  | { s: 'import' }
  | { s: 'abstract' }
  | { s: 'decl'; what: 'recipe' | 'sweep'; step: 'name' | 'after-name' | 'ref' | 'after-ref'; name?: string }
  | { s: 'skip' }; // an unexpected token: wait for `;`, `{` or `}`

const BODY_KEYWORDS = new Set(['stage']);

/** The setting a key written as `segs` inside a section with `prefix` stands for. */
function settingFor(prefix: string, segs: string[]): string {
  const local = segs.join('.');
  const full = prefix ? `${prefix}.${local}` : local;
  if (SETTINGS_BY_PATH.has(full) || !prefix) return full;
  return SETTINGS_BY_PATH.has(local) ? local : full;
}

interface WalkResult {
  roles: Map<number, Role>; // token index -> role (identifiers and some keywords)
  expect: Expect;
}

export function walk(tokens: readonly Token[]): WalkResult {
  const roles = new Map<number, Role>();
  const frames: Frame[] = [{ kind: 'top' }];
  const stageNames: string[] = [];
  let st: State = { s: 'start' };
  const frame = (): Frame => frames[frames.length - 1]!;
  const prefix = (): string => {
    const f = frame();
    return f.kind === 'body' ? f.prefix : '';
  };
  const nest = (): string => {
    const f = frame();
    return f.kind === 'body' ? f.nest : '';
  };
  const push = (f: Frame): void => {
    frames.push(f);
    st = { s: 'start' };
  };
  const pop = (): void => {
    if (frames.length > 1) frames.pop();
    st = { s: 'start' };
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'comment') continue;
    const next = nextCode(tokens, i);
    const f = frame();
    // braces close whatever statement is open
    if (t.text === '}' && t.kind === 'punct') {
      if (st.s === 'value' && st.calls.length) st.calls = [];
      pop();
      continue;
    }
    if (f.kind === 'top' && st.s === 'start') {
      if (t.kind === 'ident' && t.text === 'import') {
        roles.set(i, kw(t));
        st = { s: 'import' };
      } else if (t.kind === 'ident' && t.text === 'abstract') {
        roles.set(i, kw(t));
        st = { s: 'abstract' };
      } else if (t.kind === 'ident' && (t.text === 'recipe' || t.text === 'sweep')) {
        roles.set(i, kw(t));
        st = { s: 'decl', what: t.text, step: 'name' };
      } else if (t.text === '{') push({ kind: 'other' });
      continue;
    }
    switch (st.s) {
      case 'import':
        st = { s: 'start' };
        if (t.kind !== 'string') i--; // re-read it as a new statement
        continue;
      case 'abstract':
        if (t.kind === 'ident' && t.text === 'recipe') {
          roles.set(i, kw(t));
          st = { s: 'decl', what: 'recipe', step: 'name' };
        } else {
          st = { s: 'start' };
          i--;
        }
        continue;
      case 'decl': {
        const d = st;
        if (t.text === '{') {
          push(d.what === 'recipe' ? { kind: 'body', prefix: '', nest: '' } : { kind: 'sweep' });
          stageNames.length = 0;
          continue;
        }
        if (t.kind !== 'ident') continue;
        if (d.step === 'name') {
          roles.set(i, { kind: d.what === 'recipe' ? 'recipe-decl' : 'sweep-decl', name: t.text });
          d.step = 'after-name';
          d.name = t.text;
        } else if (d.step === 'after-name' && ((d.what === 'recipe' && t.text === 'extends') || (d.what === 'sweep' && t.text === 'over'))) {
          roles.set(i, kw(t));
          d.step = 'ref';
        } else if (d.step === 'ref') {
          roles.set(i, { kind: 'recipe-ref', name: t.text });
          d.step = 'after-ref';
        }
        continue;
      }
      default:
        break;
    }
    if (f.kind === 'other') continue;
    // body, sweep and group frames: statements
    if (st.s === 'value') {
      const v = st;
      const top = v.calls[v.calls.length - 1];
      if (t.kind === 'punct') {
        if (t.text === '(' || t.text === '[') {
          v.calls.push({ arg: 0 });
          v.complete = false;
        } else if (t.text === ')' || t.text === ']') {
          v.calls.pop();
          v.complete = true;
        } else if (t.text === ',') {
          if (top) top.arg++;
          v.complete = false;
        } else if (t.text === ';' && v.calls.length === 0) st = { s: 'start' };
        else if (t.text === '{') {
          push({ kind: 'other' });
        } else v.complete = false;
        v.afterNumber = false;
        continue;
      }
      if (t.kind === 'number' || t.kind === 'string') {
        v.complete = true;
        v.afterNumber = t.kind === 'number';
        continue;
      }
      // identifier
      if (v.complete) {
        if ((UNITS as readonly string[]).includes(t.text)) {
          roles.set(i, { kind: 'unit', unit: t.text, ...(v.setting ? { setting: v.setting } : {}) });
          v.afterNumber = false;
          continue;
        }
        if (t.text === 'x' || t.text === 'on') {
          roles.set(i, kw(t));
          v.complete = false;
          v.afterNumber = false;
          continue;
        }
        if (v.calls.length === 0) {
          st = { s: 'start' };
          i--;
          continue;
        } // a new statement begins
      }
      const setting = v.setting ? { setting: v.setting } : {};
      if (next?.text === '(') {
        roles.set(i, { kind: 'callee', name: t.text, ...setting });
        v.calls.push({ name: t.text, arg: 0 });
        v.complete = false;
        v.afterNumber = false;
        i = tokens.indexOf(next); // the `(` is consumed with its callee
        continue;
      } else if (t.text === 'true' || t.text === 'false') roles.set(i, kw(t));
      else roles.set(i, { kind: 'value', name: t.text, ...setting });
      v.complete = true;
      v.afterNumber = false;
      continue;
    }
    if (st.s === 'stage') {
      const sg = st;
      if (t.text === '{') {
        const name = sg.name ?? '';
        // a stage holds recipe entries (`optimizer { ... }`) and its own section's keys bare (`warmup = 20k images`)
        push({ kind: 'body', prefix: SECTIONS_BY_NAME.has(name) ? name : '', nest: '' });
        continue;
      }
      if (t.text === ',') {
        sg.comma = true;
        continue;
      }
      if (t.kind !== 'ident') continue;
      if (sg.name === undefined) {
        sg.name = t.text;
        stageNames.push(t.text);
        roles.set(i, { kind: 'stage', name: t.text });
      } else if (t.text === 'after' && !sg.after) {
        sg.after = true;
        roles.set(i, kw(t));
      } else if (sg.after) roles.set(i, { kind: 'stage-ref', name: t.text });
      continue;
    }
    if (st.s === 'funcdef') {
      const fd = st;
      if (fd.step === 0 && t.kind === 'ident') {
        roles.set(i, { kind: 'param', name: t.text });
        fd.step = 1;
      } else if (t.text === ')') fd.step = 2;
      else if (t.text === '=' && fd.step >= 1) st = { s: 'value', calls: [], complete: false, afterNumber: false };
      continue;
    }
    if (st.s === 'label') {
      if (t.text === '{') push({ kind: 'body', prefix: st.prefix, nest: st.prefix, label: st.label });
      else st = { s: 'skip' };
      continue;
    }
    if (st.s === 'skip') {
      if (t.text === ';') st = { s: 'start' };
      else if (t.text === '{') push({ kind: 'other' });
      continue;
    }
    if (st.s === 'start') {
      if (t.text === ';') continue;
      if (t.kind !== 'ident') {
        st = { s: 'skip' };
        continue;
      }
      if (f.kind === 'body' && BODY_KEYWORDS.has(t.text) && next?.kind === 'ident') {
        roles.set(i, kw(t));
        st = { s: 'stage', after: false, comma: false };
        continue;
      }
      if (f.kind === 'sweep' && (t.text === 'grid' || t.text === 'zip') && next?.text === '{') {
        roles.set(i, kw(t));
        push({ kind: 'group' });
        i = tokens.indexOf(next);
        continue;
      }
      st = { s: 'path', segs: [t.text], first: i };
      continue;
    }
    if (st.s === 'dot') {
      if (t.kind === 'ident') {
        st.segs.push(t.text);
        st = { s: 'path', segs: st.segs, first: st.first };
      } else st = { s: 'skip' };
      continue;
    }
    // st.s === 'path': a dotted name has been read; the next token says what it was
    const p: { segs: string[]; first: number } = st;
    const setting = settingFor(prefix(), p.segs);
    const markKeys = (): void => {
      let seg = 0;
      for (let j = p.first; j < i; j++) if (tokens[j]!.kind === 'ident') roles.set(j, { kind: 'key', path: setting, segment: seg++, of: p.segs.length });
    };
    if (t.text === '.') {
      st = { s: 'dot', segs: p.segs, first: p.first };
      continue;
    }
    if (t.text === '=' || (t.text === 'in' && f.kind !== 'body')) {
      markKeys();
      if (t.kind === 'ident') roles.set(i, kw(t));
      st = { s: 'value', setting, calls: [], complete: false, afterNumber: false };
      continue;
    }
    if (f.kind === 'body' && p.segs.length === 1 && t.text === '(') {
      roles.set(p.first, { kind: 'function', name: p.segs[0]! });
      st = { s: 'funcdef', step: 0 };
      continue;
    }
    if (f.kind === 'body' && p.segs.length === 1 && (t.text === '{' || t.kind === 'ident')) {
      const name = p.segs[0]!;
      const sectionPath = nest() ? `${nest()}.${name}` : name;
      roles.set(p.first, { kind: 'section', name, path: sectionPath });
      if (t.text === '{') {
        push({ kind: 'body', prefix: sectionPath, nest: sectionPath });
        continue;
      }
      const labelKey = SECTIONS_BY_NAME.get(name)?.labelKey;
      roles.set(i, { kind: 'label', section: name, value: t.text, ...(labelKey ? { labelKey } : {}) });
      st = { s: 'label', section: name, prefix: sectionPath, label: t.text };
      continue;
    }
    st = { s: 'skip' };
    if (t.text === ';') st = { s: 'start' };
  }
  return { roles, expect: expectFrom(frames[frames.length - 1]!, st, stageNames) };
}

function expectFrom(f: Frame, st: State, stageNames: string[]): Expect {
  const prefix = f.kind === 'body' ? f.prefix : '';
  const inSweep = f.kind === 'sweep' || f.kind === 'group';
  switch (st.s) {
    case 'start':
      if (f.kind === 'top') return { kind: 'top' };
      if (f.kind === 'other') return { kind: 'none' };
      return { kind: 'key', prefix, typed: [], inSweep, stageNames: [...stageNames], ...(f.kind === 'body' && f.label ? { label: f.label } : {}) };
    case 'dot':
      return { kind: 'key', prefix, typed: [...st.segs], inSweep, stageNames: [] };
    case 'path':
      // `teacher |`: a label may follow a section name
      if (f.kind === 'body' && st.segs.length === 1 && st.segs[0] === 'stage') return { kind: 'stage-name' };
      if (f.kind === 'body' && st.segs.length === 1) {
        const labelKey = SECTIONS_BY_NAME.get(st.segs[0]!)?.labelKey;
        return { kind: 'label', section: st.segs[0]!, ...(labelKey ? { labelKey } : {}) };
      }
      return { kind: 'none' };
    case 'value': {
      const top = st.calls[st.calls.length - 1];
      return {
        kind: 'value',
        ...(st.setting ? { setting: st.setting } : {}),
        complete: st.complete,
        afterNumber: st.afterNumber,
        ...(top?.name ? { call: { name: top.name, arg: top.arg } } : {}),
        prefix,
        inSweep,
        stageNames: [...stageNames],
      };
    }
    case 'stage':
      if (st.name === undefined) return { kind: 'stage-name' };
      if (st.after) return { kind: 'stage-after', stageNames: stageNames.slice(0, -1) };
      return { kind: 'none' };
    case 'import':
      return { kind: 'import-path' };
    case 'abstract':
      return { kind: 'recipe-keyword' };
    case 'decl':
      if (st.step === 'name') return { kind: 'name' };
      if (st.step === 'after-name') return st.what === 'recipe' ? { kind: 'extends-or-body' } : { kind: 'over' };
      if (st.step === 'ref') return { kind: 'recipe-ref', ...(st.what === 'recipe' && st.name ? { self: st.name } : {}) };
      return { kind: 'none' };
    default:
      return { kind: 'none' };
  }
}

function kw(t: Token): Role {
  return { kind: 'keyword', word: t.text };
}

function nextCode(tokens: readonly Token[], i: number): Token | undefined {
  for (let j = i + 1; j < tokens.length; j++) if (tokens[j]!.kind !== 'comment') return tokens[j];
  return undefined;
}
