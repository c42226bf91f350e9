// Plan diagnostics (SID4xxx) for a lowered graph: when the recipe declares its hardware, the memory and
// time model of compiler/plan/ says whether the run fits; its findings are placed at the deciding
// setting (e.g. hardware.devices, batch.per_device) like every other diagnostic. The model is an
// estimate, so here "does not fit" is a warning that leaves the graph intact; `sidc plan` (and the
// runtime before a run) treat it as an error. SID4004 notes (assumed throughput) belong to `sidc plan`.
import { diag } from '../diagnostics/make.js';
import type { Code } from '../diagnostics/catalogue.js';
import type { ExecutionGraph } from '../graph/types.js';
import { planGraph } from '../plan/index.js';
import type { CheckContext } from './context.js';

export function checkPlan(c: CheckContext, g: ExecutionGraph): void {
  if (!c.isSet('hardware.devices')) return; // nothing declared: `sidc plan` still reports, check stays quiet
  let report;
  try {
    report = planGraph(g);
  } catch (e) {
    c.out.push(diag('SID4004', c.anchor, { detail: `the memory plan could not be computed: ${(e as Error).message}` }));
    return;
  }
  for (const d of report.diagnostics) {
    if (d.code === 'SID4004' || d.code === 'SID4003') continue; // notes for `sidc plan`; a bad config name is the checker's
    const p = c.place(d.setting ?? 'hardware.devices');
    const help = d.help ? `${d.help} (an estimate: \`sidc plan\` shows the breakdown)` : undefined;
    c.out.push(diag(d.code as Code, p.loc, d.args, { related: p.related, severity: 'warning', ...(help ? { help } : {}) }));
  }
}
