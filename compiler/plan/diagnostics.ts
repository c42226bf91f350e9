// The planner's diagnostics as plain records. The compiler maps them into its catalogue
// (compiler/diagnostics/catalogue.ts, SID4xxx) and attaches the recipe location of the deciding setting.
export interface PlanDiagnostic {
  code: 'SID4001' | 'SID4002' | 'SID4003' | 'SID4004';
  severity: 'error' | 'warning' | 'info';
  message: string;
  help?: string;
  /** The catalogue's placeholders, filled. */
  args: Record<string, string>;
  /** The setting whose value decided it (the compiler points at where it was written). */
  setting?: string;
}

/** Catalogue text of the codes the planner emits (placeholders in braces). */
export const PLAN_DIAGNOSTICS = {
  SID4001: { severity: 'error', message: 'the run needs {need} GB per device but {kind} has {have} GB', help: '{advice}' },
  SID4002: { severity: 'warning', message: '{detail}' },
  SID4003: { severity: 'error', message: 'unknown teacher config `{name}`{hint}', help: 'known configs: {known}' },
  SID4004: { severity: 'info', message: '{detail}' },
} as const;

export function fill(template: string, args: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => args[k] ?? `{${k}}`);
}

export function planDiagnostic(code: PlanDiagnostic['code'], args: Record<string, string>, setting?: string): PlanDiagnostic {
  const entry = PLAN_DIAGNOSTICS[code];
  const d: PlanDiagnostic = { code, severity: entry.severity, message: fill(entry.message, args), args };
  if ('help' in entry) d.help = fill(entry.help, args);
  if (setting) d.setting = setting;
  return d;
}
