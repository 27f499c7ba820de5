/**
 * A results file written as the run goes: text is appended to a part file beside the results (RUN_DIR/.streaming/)
 * as each interval closes, and the part becomes the file at the end (renamed, or copied after a head written last,
 * e.g. intervals.jsonl's header, which holds where the run ended). A checkpoint keeps the part's bytes so far, and a
 * resumed run starts its part from them (also when the results directory was lost with its parts).
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

export const STREAMING_DIR = ".streaming";
const COPY_CHUNK = 1 << 20;

export class StreamedFile {
  /** The part's path (readable while it grows: every append is written through). */
  readonly path: string;
  private fd: number | undefined;

  /** `start`: the part's first bytes (a checkpoint's, or a header known at the start). */
  constructor(outDir: string, name: string, start: Uint8Array | string) {
    const dir = join(outDir, STREAMING_DIR);
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, name);
    this.fd = openSync(this.path, "w");
    if (typeof start === "string") writeSync(this.fd, start);
    else writeSync(this.fd, start);
  }

  append(text: string | Uint8Array): void {
    if (typeof text === "string") {
      if (text.length > 0) writeSync(this.open(), text);
      return;
    }
    const fd = this.open();
    for (let at = 0; at < text.length; ) at += writeSync(fd, text, at);
  }

  /** The bytes written so far (for a checkpoint). */
  contents(): Uint8Array {
    return readFileSync(this.path);
  }

  /** The part becomes `path`, after `head` when one is given. */
  finish(path: string, head = ""): void {
    closeSync(this.open());
    this.fd = undefined;
    if (head === "") {
      renameSync(this.path, path);
      return;
    }
    const out = openSync(path, "w");
    const from = openSync(this.path, "r");
    try {
      writeSync(out, head);
      const chunk = Buffer.allocUnsafe(COPY_CHUNK);
      for (let n = readSync(from, chunk); n > 0; n = readSync(from, chunk)) writeSync(out, chunk, 0, n);
    } finally {
      closeSync(from);
      closeSync(out);
    }
    rmSync(this.path);
  }

  /** Closes the part if it was not finished (a run that ended before writing its results). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    if (this.fd === undefined) throw new Error(`${this.path} is finished`);
    return this.fd;
  }
}

/** Removes RUN_DIR/.streaming once every part in it became its file. */
export function removeStreamingDir(outDir: string): void {
  rmSync(join(outDir, STREAMING_DIR), { recursive: true, force: true });
}
