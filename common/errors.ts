// The one error type for a user's mistake (bad path, bad flag, unreadable file). The CLI prints it as
// `sidc: <message>` with its exit code (2 by default: usage or I/O) and never a stack trace, so any layer -
// down to the npy or PNG writer - can throw it without knowing who prints it.
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
