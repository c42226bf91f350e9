// Where a command writes: the CLI passes process.stdout/stderr, tests pass buffers. Progress bars and
// colour only when stdout is a terminal.
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** true when stdout is a terminal (progress bars, colour) */
  isTTY: boolean;
}
