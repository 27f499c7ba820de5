/**
 * What a V8 heap snapshot holds, per actor: retained size by constructor, and the dominator tree below chosen
 * objects. Used to split footprint.ts's peak into live state and garbage (docs/performance.md).
 *
 *   node bench/heap-retainers.ts SNAPSHOT ACTORS [--top N] [--below ID,ID...] [--depth D] [--min BYTES]
 *
 * Take the snapshot with `FOOTPRINT_SNAPSHOT_WINDOW=N node --expose-gc bench/footprint.ts ...` (after a full GC at
 * window N). "Retained" is the size freed if the object went (dominator tree, weak edges ignored); a constructor's
 * retained size counts only its topmost instances, so nested instances of one class are not counted twice.
 * Figures are bytes divided by ACTORS.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface RawSnapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** The snapshot as a graph: per node its class, self size and id; edges in CSR order, weak ones flagged. */
interface Graph {
  count: number;
  self: Float64Array;
  id: Uint32Array;
  className: string[];
  firstEdge: Uint32Array;
  to: Uint32Array;
  strong: Uint8Array;
  edgeName: (edge: number) => string;
}

function readGraph(file: string): Graph {
  const raw = JSON.parse(readFileSync(file, "utf8")) as RawSnapshot;
  const meta = raw.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const field = (name: string) => meta.node_fields.indexOf(name);
  const [fType, fName, fId, fSelf, fEdges] = ["type", "name", "id", "self_size", "edge_count"].map(field);
  const count = raw.nodes.length / nf;
  const self = new Float64Array(count);
  const id = new Uint32Array(count);
  const className: string[] = new Array(count);
  const firstEdge = new Uint32Array(count + 1);
  for (let n = 0, e = 0; n < count; n++) {
    const at = n * nf;
    firstEdge[n] = e;
    e += raw.nodes[at + fEdges!]!;
    firstEdge[n + 1] = e;
    self[n] = raw.nodes[at + fSelf!]!;
    id[n] = raw.nodes[at + fId!]!;
    className[n] = classOf(meta.node_types[0][raw.nodes[at + fType!]!]!, raw.strings[raw.nodes[at + fName!]!]!);
  }
  const eType = meta.edge_fields.indexOf("type");
  const eName = meta.edge_fields.indexOf("name_or_index");
  const eTo = meta.edge_fields.indexOf("to_node");
  const edgeTypes = meta.edge_types[0];
  const skipped = new Set([edgeTypes.indexOf("weak"), edgeTypes.indexOf("shortcut")]);
  const edges = raw.edges.length / ef;
  const to = new Uint32Array(edges);
  const strong = new Uint8Array(edges);
  for (let e = 0; e < edges; e++) {
    to[e] = raw.edges[e * ef + eTo]! / nf;
    strong[e] = skipped.has(raw.edges[e * ef + eType]!) ? 0 : 1;
  }
  const edgeName = (e: number) => {
    const type = edgeTypes[raw.edges[e * ef + eType]!];
    const name = raw.edges[e * ef + eName]!;
    return type === "element" || type === "hidden" ? `[${name}]` : raw.strings[name]!;
  };
  return { count, self, id, className, firstEdge, to, strong, edgeName };
}

function classOf(type: string, name: string): string {
  if (type === "object" || type === "native") return name;
  if (type.endsWith("string")) return "(string)";
  if (type === "array" || type === "hidden") return `(${type}: ${name})`;
  return `(${type})`;
}

/** Immediate dominators (Cooper, Harvey and Kennedy's iteration over reverse postorder) and retained sizes. */
function dominate(g: Graph): { idom: Int32Array; retained: Float64Array; reached: Uint8Array } {
  const order = new Int32Array(g.count).fill(-1);
  const post: number[] = [];
  const reached = new Uint8Array(g.count);
  const stack = [0];
  const next = [g.firstEdge[0]!];
  reached[0] = 1;
  while (stack.length > 0) {
    const v = stack.at(-1)!;
    const e = next.at(-1)!;
    if (e < g.firstEdge[v + 1]!) {
      next[next.length - 1] = e + 1;
      const w = g.to[e]!;
      if (g.strong[e] === 1 && reached[w] === 0) {
        reached[w] = 1;
        stack.push(w);
        next.push(g.firstEdge[w]!);
      }
    } else {
      order[v] = post.length;
      post.push(v);
      stack.pop();
      next.pop();
    }
  }
  const preds: number[][] = Array.from({ length: g.count }, () => []);
  for (const v of post)
    for (let e = g.firstEdge[v]!; e < g.firstEdge[v + 1]!; e++) if (g.strong[e] === 1) preds[g.to[e]!]!.push(v);
  const idom = new Int32Array(g.count).fill(-1);
  idom[0] = 0;
  const meet = (a: number, b: number) => {
    while (a !== b) {
      while (order[a]! < order[b]!) a = idom[a]!;
      while (order[b]! < order[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = post.length - 2; k >= 0; k--) {
      const v = post[k]!;
      let d = -1;
      for (const u of preds[v]!) if (idom[u] !== -1) d = d === -1 ? u : meet(u, d);
      if (d !== idom[v]) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(g.count);
  for (const v of post) {
    retained[v]! += g.self[v]!;
    if (v !== 0) retained[idom[v]!]! += retained[v]!;
  }
  return { idom, retained, reached };
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: "string", default: "30" },
    below: { type: "string" },
    depth: { type: "string", default: "3" },
    min: { type: "string", default: "40000" },
  },
});
const [file, actorsArg] = positionals;
if (file === undefined || actorsArg === undefined)
  throw new Error(
    "usage: bench/heap-retainers.ts SNAPSHOT ACTORS [--top N] [--below ID,...] [--depth D] [--min BYTES]",
  );
const actors = Number(actorsArg);
const perActor = (bytes: number) => (bytes / actors).toFixed(0).padStart(8);
const g = readGraph(file);
const { idom, retained, reached } = dominate(g);
const children: number[][] = Array.from({ length: g.count }, () => []);
for (let v = 1; v < g.count; v++) if (reached[v] === 1) children[idom[v]!]!.push(v);

// Retained by class, topmost instances only: walk the dominator tree counting each class's open instances.
const byClass = new Map<string, { bytes: number; n: number }>();
const open = new Map<string, number>();
const walk = [{ v: 0, k: 0 }];
while (walk.length > 0) {
  const top = walk.at(-1)!;
  const kids = children[top.v]!;
  if (top.k < kids.length) {
    const w = kids[top.k++]!;
    const c = g.className[w]!;
    const depth = open.get(c) ?? 0;
    if (depth === 0) {
      const row = byClass.get(c) ?? { bytes: 0, n: 0 };
      row.bytes += retained[w]!;
      row.n++;
      byClass.set(c, row);
    }
    open.set(c, depth + 1);
    walk.push({ v: w, k: 0 });
  } else {
    const c = g.className[top.v]!;
    open.set(c, (open.get(c) ?? 1) - 1);
    walk.pop();
  }
}
console.log(`live heap ${(retained[0]! / 2 ** 20).toFixed(1)} MiB, ${perActor(retained[0]!).trim()} B per actor`);
console.log("\nretained by constructor (topmost instances), B per actor, instances per actor:");
for (const [c, row] of [...byClass].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, Number(values.top)))
  console.log(`${perActor(row.bytes)} ${(row.n / actors).toFixed(2).padStart(7)}  ${c.slice(0, 90)}`);

/** The dominator tree below `v`: children above `min` bytes one by one, the rest summed by class. */
function show(v: number, depth: number, indent: string): void {
  if (depth === 0) return;
  const names = new Map<number, string>();
  for (let e = g.firstEdge[v]!; e < g.firstEdge[v + 1]!; e++)
    if (idom[g.to[e]!] === v && !names.has(g.to[e]!)) names.set(g.to[e]!, g.edgeName(e));
  const kids = [...children[v]!].sort((a, b) => retained[b]! - retained[a]!);
  const rest = new Map<string, { bytes: number; n: number }>();
  for (const w of kids) {
    const label = `${names.get(w) ?? "(indirect)"}: ${g.className[w]!.slice(0, 60)}`;
    if (retained[w]! >= Number(values.min)) {
      console.log(`${indent}${perActor(retained[w]!)} ${label} @${g.id[w]}`);
      show(w, depth - 1, `${indent}  `);
    } else {
      const key = g.className[w]!.slice(0, 40);
      const row = rest.get(key) ?? { bytes: 0, n: 0 };
      row.bytes += retained[w]!;
      row.n++;
      rest.set(key, row);
    }
  }
  const small = [...rest].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 6);
  if (small.length > 0)
    console.log(
      `${indent}${" ".repeat(8)} smaller: ${small.map(([c, r]) => `${c} ×${r.n} ${perActor(r.bytes).trim()}`).join(", ")}`,
    );
}
const index = new Map<number, number>();
for (let v = 0; v < g.count; v++) index.set(g.id[v]!, v);
for (const id of values.below?.split(",") ?? []) {
  const v = index.get(Number(id));
  if (v === undefined) throw new Error(`no node @${id} in the snapshot`);
  console.log(`\n@${id} ${g.className[v]}: ${perActor(retained[v]!).trim()} B per actor`);
  show(v, Number(values.depth), "  ");
}
if (values.below === undefined) {
  console.log("\nlargest single retainers (B per actor; --below @ID to open one):");
  const big = [...Array(g.count).keys()].filter((v) => reached[v] === 1 && retained[v]! >= actors * 300);
  for (const v of big.sort((a, b) => retained[b]! - retained[a]!).slice(0, Number(values.top)))
    console.log(
      `${perActor(retained[v]!)} ${g.className[v]!.slice(0, 60)} @${g.id[v]} (in ${g.className[idom[v]!]!.slice(0, 40)})`,
    );
}
