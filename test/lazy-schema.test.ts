/**
 * spec/lazy.ts: a schema (or a record of schemas) built on first use stands in for it everywhere the model modules
 * use one (parsing, composing, spreading, instanceof), and loading every model module builds none, which is what
 * keeps a host's start-up short (nodes/host.ts).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { lazy } from "../spec/lazy.ts";

test("a lazy schema is built once, on first use, and acts as the schema", () => {
  let builds = 0;
  const point = lazy(() => {
    builds++;
    return z.object({ x: z.number(), y: z.number().default(0) }).strict();
  });
  assert.equal(builds, 0);
  assert.deepEqual(point.parse({ x: 1 }), { x: 1, y: 0 });
  assert.equal(point.safeParse({ x: "a" }).success, false);
  assert.ok(point instanceof z.ZodObject);
  assert.deepEqual(Object.keys(point.shape), ["x", "y"]);
  const line = z.object({ from: point, to: point.optional() });
  assert.deepEqual(line.parse({ from: { x: 1 }, to: { x: 2, y: 3 } }), { from: { x: 1, y: 0 }, to: { x: 2, y: 3 } });
  const tagged = z.discriminatedUnion("kind", [
    lazy(() => z.object({ kind: z.literal("a") })),
    z.object({ kind: z.literal("b") }),
  ]);
  assert.deepEqual(tagged.parse({ kind: "a" }), { kind: "a" });
  assert.equal(builds, 1);
});

test("a lazy record of schemas spreads, lists and indexes as the record", () => {
  const fields = lazy(() => ({ a: z.string(), b: z.number().optional() }));
  const commands = lazy(() => [z.literal("x"), z.literal("y")] as const);
  const both = z.object({ ...fields, c: z.boolean() }).strict();
  assert.deepEqual(both.parse({ a: "s", c: true }), { a: "s", c: true });
  assert.deepEqual(Object.keys(fields), ["a", "b"]);
  assert.ok("a" in fields);
  assert.equal(z.union([...commands]).parse("y"), "y");
  assert.equal(commands[0].parse("x"), "x");
});

test("loading every model (what a host loads) builds no zod schema", () => {
  // A fresh process; zod hands every schema it builds to its global post-processor (zod/v4/core/core.js).
  const script = `
    let made = 0;
    globalThis.__zod_globalConfig = { postProcessor: () => made++ };
    await import(${JSON.stringify(fileURLToPath(new URL("../nodes/leap/support.ts", import.meta.url)))});
    const { z } = await import("zod");
    z.string();
    console.log(made);
  `;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(Number(result.stdout.trim()), 1); // the one made after the models loaded: the hook counts
});
