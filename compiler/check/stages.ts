// Stage ordering: `after` must name declared stages and the stages must form a DAG; settings of a
// stage section (adversarial.*, teach.*, evaluate.*) without that stage have no effect; generator.init
// must name the teacher, a stage or a path.
import { diag } from '../diagnostics/make.js';
import type { ResolvedStage } from '../model.js';
import { SETTINGS } from '../recipe/settings.js';
import { suggestion } from '../util/names.js';
import type { CheckContext } from './context.js';

export function checkStages(c: CheckContext): void {
  const stages = c.recipe.stages;
  const names = stages.map((s) => s.name);
  for (const s of stages) {
    for (const a of s.after) {
      if (!names.includes(a.name) || a.name === s.name) {
        if (a.name === s.name) c.out.push(diag('SID3009', a.loc, { cycle: `${s.name} -> ${s.name}` }));
        else c.out.push(diag('SID3008', a.loc, { stage: s.name, name: a.name, hint: suggestion(a.name, names), known: names.join(', ') }));
      }
    }
  }
  // Cycles: depth-first search over `after` edges, reported once at the edge closing the cycle.
  const state = new Map<string, 0 | 1 | 2>();
  const byName = new Map(stages.map((s) => [s.name, s]));
  const stack: string[] = [];
  const visit = (s: ResolvedStage): void => {
    state.set(s.name, 1);
    stack.push(s.name);
    for (const a of s.after) {
      const t = byName.get(a.name);
      if (!t || t === s) continue;
      if (state.get(t.name) === 1) c.out.push(diag('SID3009', a.loc, { cycle: [...stack.slice(stack.indexOf(t.name)), t.name].join(' -> ') }));
      else if (!state.get(t.name)) visit(t);
    }
    stack.pop();
    state.set(s.name, 2);
  };
  for (const s of stages) if (!state.get(s.name)) visit(s);

  for (const section of ['adversarial', 'teach', 'evaluate']) {
    if (names.includes(section)) continue;
    // An analytic mixture teacher has no teach stage (SID3021), but psi and G still start from a network:
    // the runtime fits one to the mixture with the teach.* settings (docs/runtime.md, "Decision for gmm").
    if (section === 'teach' && c.str('teacher.family') === 'gmm') continue;
    for (const st of SETTINGS) {
      if (!st.path.startsWith(section + '.') || !c.isSet(st.path)) continue;
      const p = c.place(st.path);
      const after = section === 'adversarial' || section === 'evaluate' ? ' after sid' : '';
      c.out.push(diag('SID3020', p.loc, { path: st.path, stage: section, after }, { related: p.related }));
    }
  }

  const init = c.str('generator.init');
  if (init !== undefined && init !== 'teacher' && !names.includes(init) && !/[/.]/.test(init) && c.isSet('generator.init')) {
    const p = c.place('generator.init');
    c.out.push(diag('SID3019', p.loc, { init, known: names.join(', ') }, { related: p.related }));
  }
}
