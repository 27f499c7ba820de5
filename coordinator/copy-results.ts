/** Copies a results directory to DEST/<run id>/ (a mounted volume in a pod), so runs never overwrite each other. */
import { cpSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

export function copyResults(outDir: string, destRoot: string, runId: string): string {
  const dest = join(destRoot, runId);
  if (resolve(dest) === resolve(outDir)) return dest;
  mkdirSync(dest, { recursive: true });
  cpSync(outDir, dest, { recursive: true });
  return dest;
}
