// Reading a compiled graph back from a run directory's graph.json (what a launched task runs): it must
// be a graph and its content must still match its hash, so a task never runs something else under the
// name of the point it was submitted as.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { UserError } from '../../common/errors.js';
import { graphHash } from '../../compiler/graph/hash.js';
import type { ExecutionGraph } from '../../compiler/graph/types.js';
import { runDirName } from '../rundir/rundir.js';

export function readGraphFile(file: string): ExecutionGraph {
  if (!existsSync(file)) throw new UserError(`cannot read '${file}': no such file (a run directory's graph.json, written by sidc run / sweep-run)`);
  let g: ExecutionGraph;
  try {
    g = JSON.parse(readFileSync(file, 'utf8')) as ExecutionGraph;
  } catch (e) {
    throw new UserError(`${file}: not JSON (${(e as Error).message}); recompile with sidc sweep-run / sidc run`);
  }
  if (!g || typeof g !== 'object' || typeof g.hash !== 'string' || !g.recipe || !Array.isArray(g.stages))
    throw new UserError(`${file}: not an execution graph (no hash, recipe or stages)`);
  const h = graphHash(g);
  if (h !== g.hash)
    throw new UserError(
      `${file}: its content does not match its hash (${g.hash.slice(0, 8)} recorded, ${h.slice(0, 8)} computed); recompile it with sidc sweep-run / sidc run`,
    );
  if (basename(dirname(file)) !== runDirName(g))
    throw new UserError(`${file}: graph ${runDirName(g)} is not this run directory's (${basename(dirname(file))})`);
  return g;
}
