/**
 * The import check run by `npm test`: every import in the layered folders goes the same way, down.
 *
 *   spec ← nodes/runtime ← scenario ← nodes/models ← nodes/leap ← nodes (hosts) ← coordinator ← cli
 *
 * A file may import its own layer and the layers to its left; proto/gen (generated wire code) may be imported
 * from anywhere. Test, bench, deploy and scripts code stands outside the layers and may import anything, but no
 * layered file may import it. On top: no cycle between folders (two folders importing each other, directly or
 * round a loop), and no actor kind name in coordinator/ (kinds declare their traits in the model registry).
 * docs/ARCHITECTURE.md explains the layers.
 *
 * Usage: node scripts/check-layers.ts [root]   (exit 1 and one line per problem when the check fails)
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** The layers, lowest first: a folder belongs to the longest prefix listed. */
export const LAYERS: readonly string[] = [
  "spec",
  "nodes/runtime",
  "scenario",
  "nodes/models",
  "nodes/leap",
  "nodes",
  "coordinator",
  "cli",
];
/** Importable from every layer. */
const SHARED = ["proto/gen"];
/** Outside the layers: may import anything, imported by no layered file. */
const OUTSIDE = ["test", "bench", "deploy", "scripts", "types"];

export interface ImportEdge {
  from: string;
  to: string;
}

/** Every relative import (static, dynamic, re-export, type-only) of the .ts files under the layered folders. */
export function collectImports(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const roots = [...new Set(LAYERS.map((l) => l.split("/")[0]!))];
  for (const top of roots) {
    for (const file of tsFiles(join(root, top))) {
      const from = toPosix(relative(root, file));
      const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
      for (const { fileName } of importedFiles) {
        if (!fileName.startsWith(".")) continue; // packages and node: builtins
        edges.push({ from, to: toPosix(normalize(join(dirname(from), fileName))) });
      }
    }
  }
  return edges;
}

function tsFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "gen" ? [] : tsFiles(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

const toPosix = (p: string) => p.split(sep).join("/");
const under = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);

/** The layer index of a file, or undefined when it is in no layer. */
export function layerOf(file: string): number | undefined {
  let best: number | undefined;
  LAYERS.forEach((layer, i) => {
    if (under(file, layer) && (best === undefined || layer.length > LAYERS[best]!.length)) best = i;
  });
  return best;
}

/** Imports that point up the layers, or out of them. */
export function layerViolations(edges: readonly ImportEdge[]): string[] {
  const problems: string[] = [];
  for (const { from, to } of edges) {
    const source = layerOf(from);
    if (source === undefined || SHARED.some((s) => under(to, s))) continue;
    if (OUTSIDE.some((o) => under(to, o))) {
      problems.push(`${from} imports ${to}: layered code may not import ${to.split("/")[0]}/`);
      continue;
    }
    const target = layerOf(to);
    if (target === undefined) problems.push(`${from} imports ${to}, which is in no layer`);
    else if (target > source)
      problems.push(
        `${from} imports ${to}: ${LAYERS[source]} may not import ${LAYERS[target]} (the layers: ${LAYERS.join(" ← ")})`,
      );
  }
  return problems;
}

/** Cycles between folders (each folder a node; an import between files of two folders an edge). */
export function folderCycles(edges: readonly ImportEdge[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = dirname(from);
    const b = dirname(to);
    if (a === b || layerOf(to) === undefined) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  // Tarjan's strongly connected components: a component of more than one folder is a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) {
        const members = new Set(component);
        const links = edges
          .filter(
            (e) => members.has(dirname(e.from)) && members.has(dirname(e.to)) && dirname(e.from) !== dirname(e.to),
          )
          .map((e) => `${e.from} → ${e.to}`);
        cycles.push(`folders import each other: ${component.sort().join(", ")} (${links.join("; ")})`);
      }
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/**
 * Actor kind names written in coordinator/ code: a quoted kind name on a line that speaks of a kind (`kind ===
 * "crac"`, `KINDS = new Set(["crac"])`). The coordinator learns what a kind is from its traits in the model
 * registry (nodes/models/traits.ts), so a new kind needs no change there. Tests may name kinds.
 */
export function kindNamesIn(root: string, folder: string, kinds: readonly string[]): string[] {
  const problems: string[] = [];
  for (const file of tsFiles(join(root, folder))) {
    if (file.endsWith(".test.ts")) continue;
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (!/kind/i.test(line)) return;
        for (const kind of kinds)
          if (line.includes(`"${kind}"`) || line.includes(`'${kind}'`))
            problems.push(
              `${toPosix(relative(root, file))}:${i + 1} names the actor kind "${kind}" (declare a trait in nodes/models/registry.ts instead)`,
            );
      });
  }
  return problems;
}

export function checkLayers(root: string, kinds: readonly string[] = []): string[] {
  const edges = collectImports(root);
  return [...layerViolations(edges), ...folderCycles(edges), ...kindNamesIn(root, "coordinator", kinds)];
}

if (process.argv[1] !== undefined && normalize(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..");
  const { actorKinds } = await import("../nodes/models/registry.ts");
  const problems = checkLayers(root, actorKinds);
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`check-layers: ${problems.length} problem(s)`);
    process.exit(1);
  }
}
