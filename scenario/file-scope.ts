/**
 * Files a scenario refers to (traces): resolved relative to the scenario's folder and refused when they lead out of
 * it, unless a folder they lie in was allowed (`--allow-outside PATH`); symbolic links are followed before the
 * check, so a link cannot lead out either. Only regular files up to MAX_REFERENCED_FILE_BYTES are read, and no
 * error repeats a file's content.
 */
import { realpathSync } from "node:fs";
import { readBoundedFile } from "../nodes/runtime/files/bounded-file.ts";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { formatCount, MAX_REFERENCED_FILE_BYTES } from "../spec/limits.ts";

export interface FileScope {
  /** The scenario file (problems name it). */
  scenarioFile: string;
  /** Folders files may be read from: the scenario's own folder and any allowed with --allow-outside. */
  roots: string[];
}

export function fileScope(scenarioFile: string, allowOutside: readonly string[] = []): FileScope {
  return { scenarioFile, roots: [dirname(resolve(scenarioFile)), ...allowOutside.map((p) => resolve(p))].map(real) };
}

/** The text of `file` (relative to the scenario's folder), or why it cannot be read. */
export function readReferencedFile(scope: FileScope, file: string): { text: string } | { problem: string } {
  const shown = JSON.stringify(file.slice(0, 200));
  const path = resolve(scope.roots[0]!, file);
  let target: string;
  try {
    target = realpathSync(path);
  } catch (error) {
    return { problem: `cannot read ${shown} (${(error as NodeJS.ErrnoException).code ?? "error"})` };
  }
  if (!scope.roots.some((root) => inside(target, root))) {
    return { problem: `${shown} is outside the scenario's folder; allow its folder with --allow-outside PATH` };
  }
  const read = readBoundedFile(target, MAX_REFERENCED_FILE_BYTES);
  if ("failure" in read) {
    if (read.failure === "unreadable") return { problem: `cannot read ${shown} (${read.code})` };
    if (read.failure === "not a regular file") return { problem: `${shown} is not a regular file` };
    return {
      problem:
        read.size === null
          ? `${shown} has more than ${formatCount(MAX_REFERENCED_FILE_BYTES)} bytes`
          : `${shown} has ${formatCount(read.size)} bytes; at most ${formatCount(MAX_REFERENCED_FILE_BYTES)}`,
    };
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(read.bytes) };
  } catch {
    return { problem: `${shown} is not UTF-8 text` };
  }
}

function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path; // a folder that does not exist admits nothing that exists
  }
}
