/**
 * Reading a file that input names (a scenario, a trace, a NATS secret) without trusting it: only a regular file
 * (a FIFO or a device is never opened) of at most a given size, checked before and after the read. Failures say
 * why, never what the file holds; each caller words them for its own input.
 */
import { readFileSync, statSync } from "node:fs";

export type BoundedReadFailure =
  | { failure: "not a regular file" }
  /** `size` null: the file grew past the limit while it was read. */
  | { failure: "too large"; size: number | null }
  /** `code`: the system's error code (ENOENT, EACCES, ...). */
  | { failure: "unreadable"; code: string };

export function readBoundedFile(path: string, maxBytes: number): { bytes: Buffer } | BoundedReadFailure {
  let bytes: Buffer;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return { failure: "not a regular file" };
    if (stat.size > maxBytes) return { failure: "too large", size: stat.size };
    bytes = readFileSync(path);
  } catch (error) {
    return { failure: "unreadable", code: (error as NodeJS.ErrnoException).code ?? "error" };
  }
  return bytes.length > maxBytes ? { failure: "too large", size: null } : { bytes };
}
