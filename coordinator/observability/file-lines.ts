/**
 * A text file's lines read a chunk at a time: a long run's intervals.jsonl may be larger than one string can be
 * (V8's limit is ~512 MiB), and the lines are taken one by one, never all held.
 */
import { closeSync, openSync, readSync } from "node:fs";

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Calls `callback` with each line of the file at `path` (without its newline; a last line without one too), in
 * order, until it returns false.
 */
export function forEachLine(path: string, callback: (line: string) => boolean | undefined): void {
  const from = openSync(path, "r");
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    let pending: Buffer[] = []; // the start of a line that goes on in the next chunk
    for (let n = readSync(from, chunk); n > 0; n = readSync(from, chunk)) {
      let at = 0;
      // A newline byte is never part of a longer UTF-8 sequence: splitting there keeps every character whole.
      for (let end = chunk.indexOf(NEWLINE, at); end >= 0 && end < n; end = chunk.indexOf(NEWLINE, at)) {
        const tail = chunk.subarray(at, end);
        const line = pending.length === 0 ? tail.toString("utf8") : Buffer.concat([...pending, tail]).toString("utf8");
        pending = [];
        at = end + 1;
        if (callback(line) === false) return;
      }
      if (at < n) pending.push(Buffer.from(chunk.subarray(at, n)));
    }
    if (pending.length > 0) callback(Buffer.concat(pending).toString("utf8"));
  } finally {
    closeSync(from);
  }
}
