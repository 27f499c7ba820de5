import assert from "node:assert/strict";
import { test } from "node:test";
import { InProcTransport, subjectMatches } from "./inproc.ts";

const bytes = (n: number) => Uint8Array.of(n);
const tick = () => new Promise((resolve) => setImmediate(resolve));

test("subject matching follows NATS: * is one token, a final > one or more", () => {
  const m = (pattern: string, subject: string) => subjectMatches(pattern.split("."), subject.split("."));
  assert.ok(m("dct.r.report.*.window", "dct.r.report.12.window"));
  assert.ok(!m("dct.r.report.*.window", "dct.r.report.12.hello"));
  assert.ok(!m("dct.r.report.*.window", "dct.r.report.1.2.window"));
  assert.ok(!m("dct.r.report.*.window", "dct.r.report.window"));
  assert.ok(m("dct.r.sync.>", "dct.r.sync.grant"));
  assert.ok(m("dct.r.sync.>", "dct.r.sync.a.b"));
  assert.ok(!m("dct.r.sync.>", "dct.r.sync"));
  assert.ok(!m("dct.r.>.x", "dct.r.y.x"), "> only as the last token");
  assert.ok(m("a.b", "a.b"));
  assert.ok(!m("a.b", "a.b.c"));
  assert.ok(!m("a.b.c", "a.b"));
});

test("in-process delivery: asynchronous, in publish order, to exact and wildcard subscribers", async () => {
  const t = new InProcTransport();
  const got: string[] = [];
  t.subscribe("dct.r.report.1.window", (p, s) => got.push(`exact ${s} ${p[0]}`));
  const any = t.subscribe("dct.r.report.*.window", (p, s) => got.push(`any ${s} ${p[0]}`));
  t.subscribe("dct.r.>", (p) => got.push(`all ${p[0]}`));
  t.publish("dct.r.report.0.window", bytes(1));
  t.publish("dct.r.report.1.window", bytes(2));
  t.publish("dct.r.report.1.hello", bytes(3));
  t.publish("other.subject", bytes(4));
  assert.deepEqual(got, [], "nothing is delivered during publish");
  await tick();
  assert.deepEqual(got, [
    "any dct.r.report.0.window 1",
    "all 1",
    "exact dct.r.report.1.window 2",
    "any dct.r.report.1.window 2",
    "all 2",
    "all 3",
  ]);

  got.length = 0;
  any.unsubscribe();
  t.publish("dct.r.report.2.window", bytes(5));
  await tick();
  assert.deepEqual(got, ["all 5"]);
  await t.close();
});

test("a subscription ended by a handler receives nothing more, even of the message being delivered", async () => {
  const t = new InProcTransport();
  const got: number[] = [];
  let second: { unsubscribe(): void } | undefined;
  t.subscribe("a.*", () => second!.unsubscribe());
  second = t.subscribe("a.>", (p) => got.push(p[0]!));
  t.publish("a.b", bytes(1));
  t.publish("a.c", bytes(2));
  await tick();
  assert.deepEqual(got, []);
  await t.close();
});
