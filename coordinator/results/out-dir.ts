/**
 * The results directory is checked before a run starts, so a run is never lost to an output path that cannot take
 * its results: it must be a directory (created if missing) this process can create files in. The check writes
 * and removes a probe file, which catches what permission bits do not (read-only mounts, /proc, /sys).
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export class OutputDirError extends Error {
  override name = "OutputDirError";
}

export function prepareOutputDir(dir: string): void {
  if (dir.trim() === "") throw new OutputDirError("--out: expected a directory path, got an empty one");
  const code = (error: unknown) => (error as NodeJS.ErrnoException).code ?? "error";
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(dir);
  } catch (error) {
    if (code(error) !== "ENOENT") throw new OutputDirError(`--out: cannot use ${dir} (${code(error)})`);
  }
  if (existing !== undefined && !existing.isDirectory())
    throw new OutputDirError(`--out: ${dir} exists and is not a directory`);
  if (existing === undefined) {
    try {
      makeDirs(resolve(dir));
    } catch (error) {
      throw new OutputDirError(`--out: cannot create ${dir} (${code(error)})`);
    }
  }
  const probe = join(dir, `.dctwin-write-probe-${process.pid}`);
  try {
    writeFileSync(probe, "");
  } catch (error) {
    throw new OutputDirError(`--out: cannot write in ${dir} (${code(error)})`);
  } finally {
    rmSync(probe, { force: true });
  }
}

/** mkdir -p, one level at a time: Node's recursive mkdir loops forever under /proc (it keeps retrying ENOENT). */
function makeDirs(path: string): void {
  const missing: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    try {
      statSync(p);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || dirname(p) === p) throw error;
      missing.unshift(p);
    }
  }
  for (const p of missing) mkdirSync(p);
}
