// Document symbols (outline): imports, recipes, sweeps, and inside recipes their sections, stages,
// settings and weighting functions, from the grammar's AST.
import type { DocumentSymbol } from 'vscode-languageserver';
import { SymbolKind } from 'vscode-languageserver';
import type { Block, Entry, SidFile, SweepItem } from '../../grammar/ast.js';
import { rangeOf } from './convert.js';

export function documentSymbols(file: SidFile): DocumentSymbol[] {
  return file.items.map((item): DocumentSymbol => {
    switch (item.kind) {
      case 'Import':
        return sym(`import ${JSON.stringify(item.path.value)}`, SymbolKind.File, item.loc, item.path.loc);
      case 'Recipe':
        return sym(
          item.name.name,
          SymbolKind.Class,
          item.loc,
          item.name.loc,
          blockSymbols(item.body),
          `${item.abstract ? 'abstract ' : ''}recipe${item.extends ? ` extends ${item.extends.name}` : ''}`,
        );
      case 'Sweep':
        return sym(item.name.name, SymbolKind.Array, item.loc, item.name.loc, item.items.flatMap(sweepSymbols), `sweep over ${item.over.name}`);
    }
  });
}

function blockSymbols(block: Block): DocumentSymbol[] {
  return block.entries.map((e: Entry): DocumentSymbol => {
    switch (e.kind) {
      case 'Section':
        return sym(e.name.name, SymbolKind.Namespace, e.loc, e.name.loc, blockSymbols(e.body), e.label?.name);
      case 'Stage':
        return sym(
          `stage ${e.name.name}`,
          SymbolKind.Event,
          e.loc,
          e.name.loc,
          blockSymbols(e.body),
          e.after.length ? `after ${e.after.map((a) => a.name).join(', ')}` : undefined,
        );
      case 'Assign':
        return sym(e.path.segments.map((s) => s.name).join('.'), SymbolKind.Property, e.loc, e.path.loc);
      case 'FuncDef':
        return sym(`${e.name.name}(${e.param.name})`, SymbolKind.Function, e.loc, e.name.loc);
    }
  });
}

function sweepSymbols(item: SweepItem): DocumentSymbol[] {
  if (item.kind === 'Axis')
    return [sym(item.path.segments.map((s) => s.name).join('.'), SymbolKind.Property, item.loc, item.path.loc, [], `${item.values.elements.length} values`)];
  return [sym(item.mode, SymbolKind.Namespace, item.loc, item.loc, item.axes.flatMap(sweepSymbols))];
}

function sym(
  name: string,
  kind: SymbolKind,
  loc: { range: import('../../grammar/ast.js').Range; file: string },
  selection: typeof loc,
  children: DocumentSymbol[] = [],
  detail?: string,
): DocumentSymbol {
  return {
    name: name || '?',
    kind,
    range: rangeOf(loc),
    selectionRange: rangeOf(selection),
    ...(detail ? { detail } : {}),
    ...(children.length ? { children } : {}),
  };
}
