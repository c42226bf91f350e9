// Hover: the doc of the word under the cursor - a setting key (doc, type, unit, default, paper reference),
// a section, a section label, an enum value or value form, a unit, or a keyword.
import { SETTINGS_BY_PATH, STAGE_KINDS } from '../recipe/settings.js';
import type { Role } from './walk.js';
import { walk } from './walk.js';
import { scan } from './scan.js';
import { sectionMarkdown, settingMarkdown } from './setting-docs.js';
import { KEYWORDS, UNIT_DOCS, anyValueWord, valueWords } from './vocab.js';

interface HoverResult {
  markdown: string;
  start: number; // offsets of the hovered word
  end: number;
}

export function hoverAt(text: string, offset: number): HoverResult | undefined {
  const tokens = scan(text);
  const index = tokens.findIndex((t) => t.start <= offset && offset <= t.end && t.kind === 'ident');
  if (index < 0) return undefined;
  const tok = tokens[index]!;
  const role = walk(tokens).roles.get(index);
  const markdown = role ? describe(role) : undefined;
  return markdown ? { markdown, start: tok.start, end: tok.end } : undefined;
}

function withRef(doc: string, ref?: string): string {
  return ref ? `${doc}\n\n- paper: ${ref}` : doc;
}

export function describe(role: Role): string | undefined {
  switch (role.kind) {
    case 'keyword': {
      const k = KEYWORDS[role.word];
      return k ? withRef(`**${role.word}** (keyword)\n\n${k.doc}`, k.ref) : undefined;
    }
    case 'key': {
      // `optimizer.lr`: hovering a leading segment of a dotted key shows its section
      const segs = role.path.split('.');
      const upTo = segs.length - (role.of - 1 - role.segment);
      if (upTo < segs.length) return sectionMarkdown(segs[upTo - 1]!);
      const s = SETTINGS_BY_PATH.get(role.path);
      return s ? settingMarkdown(s) : undefined;
    }
    case 'section':
      return sectionMarkdown(role.name);
    case 'stage': {
      const kind = (STAGE_KINDS as readonly string[]).includes(role.name) ? role.name : undefined;
      return withRef(
        `**stage ${role.name}**\n\n${sectionMarkdown(role.name)?.split('\n\n')[1] ?? (kind ? `The ${kind} stage.` : 'A stage of the pipeline.')}`,
        'docs/algorithm.md §6',
      );
    }
    case 'stage-ref':
      return `**${role.name}**: the stage this one starts after.`;
    case 'label': {
      const s = role.labelKey ? SETTINGS_BY_PATH.get(role.labelKey) : undefined;
      if (!s) return undefined;
      const w = valueWords(s.type)[role.value];
      return `**${role.value}** (value of \`${s.path}\`)${w ? `: ${w.doc}` : ''}\n\n---\n\n${settingMarkdown(s)}`;
    }
    case 'value':
    case 'callee': {
      const s = role.setting ? SETTINGS_BY_PATH.get(role.setting) : undefined;
      const w = (s ? valueWords(s.type)[role.name] : undefined) ?? anyValueWord(role.name);
      if (!w) return undefined;
      return withRef(`**${role.name}**${s ? ` (value of \`${s.path}\`)` : ''}\n\n${w.doc}`, w.ref);
    }
    case 'unit': {
      const d = UNIT_DOCS[role.unit];
      return d ? `**${role.unit}** (unit)\n\n${d}` : undefined;
    }
    case 'recipe-decl':
      return `**recipe ${role.name}**`;
    case 'recipe-ref':
      return `**${role.name}**: a recipe (go to definition to open it).`;
    case 'sweep-decl':
      return `**sweep ${role.name}**`;
    case 'function': {
      const w = SETTINGS_BY_PATH.get('loss.weighting');
      return `**${role.name}(t)**: a weighting written as an expression of t (eq. 18).${w ? `\n\n---\n\n${settingMarkdown(w)}` : ''}`;
    }
    case 'param':
      return `**${role.name}**: the diffusion time t in [0, 1].`;
  }
}
