// Recipe files are text. A binary file (NUL bytes) or one that is not UTF-8 is refused before its
// contents can reach a message: a diagnostic quotes the source line it points at, and an import of the
// wrong file (an executable, an image, a key) must not print its first bytes.

const fatal = new TextDecoder('utf-8', { fatal: true });

/** Why `text` is not a recipe (a NUL character), or undefined. For texts already decoded (LSP documents, overlays). */
export function notTextReason(text: string): string | undefined {
  const nul = text.indexOf('\u0000');
  return nul >= 0 ? `it is not a text file (a NUL byte at offset ${nul})` : undefined;
}

/** Decodes a file's bytes as a recipe: UTF-8 (a leading BOM dropped), no NUL bytes. */
export function decodeRecipe(bytes: Uint8Array): { text: string } | { error: string } {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { error: `it is not a text file (a NUL byte at offset ${nul})` };
  try {
    return { text: fatal.decode(bytes) };
  } catch {
    return { error: 'it is not a text file (not valid UTF-8)' };
  }
}
