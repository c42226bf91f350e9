// Crash-safe file writes: a reader sees either the old file or the complete new one, never a torn write.
// Write to a temporary file in the same directory (so rename stays on one filesystem and is atomic),
// fsync it, rename it over the target, then fsync the directory so the rename itself survives a crash.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../common/errors.js';

/** A file could not be written (disk full, permission, read-only): `<path>: cannot write: <why>`, exit 2. */
export class FileWriteError extends UserError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: cannot write: ${reason}`, 2);
    this.name = 'FileWriteError';
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'a directory is in the way',
  ENOTDIR: 'a parent path is a file, not a directory',
  // mkdir -p where the parent itself is a file
  EEXIST: 'a parent path is a file, not a directory',
};

/** File-system errors become FileWriteError; anything else (a bug in a writer callback) passes through. */
function asWriteError(path: string, err: unknown): unknown {
  if (err instanceof UserError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return err;
  return new FileWriteError(path, REASONS[code] ?? (err as Error).message);
}

let counter = 0;

/** A temp name beside `path`, unique per process and call, hidden so globbing the directory skips it. */
function tmpPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now().toString(36)}-${counter++}`);
}

function fsyncDir(dir: string): void {
  // Directories cannot be opened for fsync on every platform (Windows); durability there is best effort.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

/** Writes all of `data` at the fd's current position (writeSync may write less than asked). */
export function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/**
 * Streams a file into place atomically: `write` gets an fd opened on a temp file beside `path` and may
 * call writeAll/writeSync as often as it likes (large files never sit in memory whole). On any error the
 * temp file is removed and the target is left untouched.
 */
export function writeFileAtomicWith(path: string, write: (fd: number) => void): void {
  const dir = dirname(path);
  const tmp = tmpPathFor(path);
  let fd: number;
  try {
    mkdirSync(dir, { recursive: true });
    fd = openSync(tmp, 'w', 0o644);
  } catch (err) {
    throw asWriteError(path, err);
  }
  try {
    try {
      write(fd);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw asWriteError(path, err);
  }
  fsyncDir(dir);
}

/** Writes a whole file atomically, creating parent directories. Strings are written as UTF-8. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  writeFileAtomicWith(path, (fd) => writeAll(fd, bytes));
}

/** Pretty-printed JSON (2-space indent, trailing newline), written atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Appends one line (a newline is added unless present) and flushes it to disk: JSONL metrics survive a
 * crash up to the last completed step. O_APPEND makes each line one write, so lines never interleave.
 */
export function appendLine(path: string, line: string): void {
  const text = line.endsWith('\n') ? line : line + '\n';
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'a', 0o644);
    try {
      writeAll(fd, Buffer.from(text, 'utf8'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw asWriteError(path, err);
  }
}
