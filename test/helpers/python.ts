// The Python that cross-check tests run (numpy / scipy / torch oracles, scripts/reference/*.py).
// Looked for in order: $SIDC_PYTHON, /usr/bin/python3 (Debian's, where python3-torch installs), python3 on
// PATH; the first that has every module wins. Without one a test is skipped with the reason - except under
// CI=true, where a skipped cross-check would pass silently: there the test runs and fails, saying why.
//   const py = pythonWith('torch', 'numpy');
//   test('...', { skip: py.skip }, () => { runPython(py.exe, script) });
import { spawnSync } from 'node:child_process';

export interface PythonFor {
  /** The interpreter; reading it when none was found throws (under CI=true that fails the test). */
  readonly exe: string;
  readonly found: boolean;
  /** For node:test's `skip` option: the reason outside CI, false when found or under CI=true. */
  readonly skip: string | false;
}

const underCi = (): boolean => process.env.CI === 'true';

function candidates(): string[] {
  const fromEnv = process.env.SIDC_PYTHON;
  return [...(fromEnv ? [fromEnv] : []), '/usr/bin/python3', 'python3'];
}

const cache = new Map<string, string | undefined>();

/** Whether `exe` has all `modules`, probed with find_spec: it does not import (importing torch costs seconds). */
function hasModules(exe: string, modules: string[]): boolean {
  const probe = `import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in ${JSON.stringify(modules)}) else 1)`;
  return spawnSync(exe, ['-c', probe], { stdio: 'ignore' }).status === 0;
}

export function pythonWith(...modules: string[]): PythonFor {
  const key = `${candidates().join('\0')}|${modules.join(',')}`;
  if (!cache.has(key))
    cache.set(
      key,
      candidates().find((exe) => hasModules(exe, modules)),
    );
  const exe = cache.get(key);
  const reason = `no python with ${modules.join(', ')} (tried ${candidates().join(', ')}; set SIDC_PYTHON, or install Debian's python3-numpy python3-scipy python3-torch)`;
  return {
    get exe(): string {
      if (exe === undefined) throw new Error(underCi() ? `CI=true and ${reason}: this cross-check must run in CI` : reason);
      return exe;
    },
    found: exe !== undefined,
    skip: exe !== undefined || underCi() ? false : reason,
  };
}

/** Runs `python -c script args...` and returns its stdout; throws with its stderr when it fails. */
export function runPython(exe: string, script: string, ...args: string[]): string {
  const r = spawnSync(exe, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${exe} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

/** The interpreter with `modules`, or undefined outside CI when there is none (callers skip then); under
 * CI=true a missing one throws at load, failing the test file instead of skipping it. */
export function pythonExeWith(...modules: string[]): string | undefined {
  const py = pythonWith(...modules);
  return py.found || underCi() ? py.exe : undefined;
}
