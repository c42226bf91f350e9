// The planner's public surface (docs/plan.md).
export { planGraph, type PlanReport } from './plan.js';
export { renderPlan } from './render.js';
export { PLAN_DIAGNOSTICS, type PlanDiagnostic } from './diagnostics.js';
export type { Term } from './memory.js';
export { PAPER_ROWS, MEMORY_TOLERANCE, type PaperRow } from './paper.js';
