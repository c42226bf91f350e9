// The fonts text is rendered with. DejaVu Sans ships as an npm dependency (dejavu-fonts-ttf), so a plot
// looks the same on every machine; if that package is missing, resvg falls back to the system's fonts.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const FONT_FAMILY = 'DejaVu Sans';
/** where Debian's fonts-dejavu-core puts them */
const SYSTEM_DEJAVU = '/usr/share/fonts/truetype/dejavu';

export interface FontSetup {
  fontFiles: string[];
  loadSystemFonts: boolean;
  /** regular and bold TTFs to measure text with (the bundled ones, else Debian's, else none) */
  metrics?: { regular: string; bold: string };
  defaultFontFamily: string;
  sansSerifFamily: string;
}

let cached: FontSetup | undefined;

/** resvg's font options: the bundled DejaVu Sans (regular + bold), or the system fonts. */
export function fontSetup(): FontSetup {
  if (cached) return cached;
  let files: string[] = [];
  try {
    const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(dir, f)).filter((f) => existsSync(f));
  } catch {
    files = []; // package not installed: system fonts below
  }
  const system = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(SYSTEM_DEJAVU, f)).filter((f) => existsSync(f));
  const measured = files.length === 2 ? files : system.length === 2 ? system : undefined;
  const common = {
    defaultFontFamily: FONT_FAMILY,
    sansSerifFamily: FONT_FAMILY,
    ...(measured ? { metrics: { regular: measured[0]!, bold: measured[1]! } } : {}),
  };
  cached = files.length ? { fontFiles: files, loadSystemFonts: false, ...common } : { fontFiles: [], loadSystemFonts: true, ...common };
  return cached;
}
