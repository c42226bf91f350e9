// The one error type of the checkpoint readers and writers. It is a UserError, so the CLI prints
// `sidc: <file>: <what is wrong>` with exit code 2 (I/O) and never a stack trace.
import { UserError } from './errors.js';

/** What went wrong, for callers and tests that branch on it. */
export type SafetensorsErrorCode =
  | 'io' // cannot open / read / write the file
  | 'too-short' // fewer than 8 bytes: no header length
  | 'header-length' // header length larger than the file, or absurdly large
  | 'header-json' // header is not UTF-8 JSON describing an object
  | 'header-entry' // a tensor entry lacks dtype/shape/data_offsets or has the wrong types
  | 'metadata' // __metadata__ is not a {string: string} map
  | 'dtype' // unknown dtype, or one this operation cannot handle
  | 'shape' // byte length of a tensor != prod(shape) x dtype size, or data length != prod(shape)
  | 'offsets' // overlapping, out-of-order-with-gaps or out-of-bounds data_offsets
  | 'truncated' // the file ends before the data the header describes
  | 'missing-tensor' // a requested tensor name is not in the file
  | 'index'; // model.safetensors.index.json is missing, malformed or names a missing shard

export class SafetensorsError extends UserError {
  constructor(
    readonly file: string,
    readonly code: SafetensorsErrorCode,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`, 2);
    this.name = 'SafetensorsError';
  }
}
