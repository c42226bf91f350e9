// The sidc command line run in-process through its real entry (cli/main.ts) with every runtime
// command registered: exit code, stdout and stderr as a user would see them.
import { main } from '../../cli/main.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function sidc(...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false });
  return { code, out, err };
}
