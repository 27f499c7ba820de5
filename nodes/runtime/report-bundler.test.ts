import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { BUNDLE_MAX_BYTES, BUNDLE_WAIT_MS, ReportBundler } from "./report-bundler.ts";
import { wire } from "./wire.ts";

function bundler() {
  const sent: number[][] = [];
  const lastFlags: boolean[] = [];
  const b = new ReportBundler((bytes) => {
    const bundle = wire.ReportBundle.decode(bytes);
    sent.push(bundle.reports.map((r) => r[0]!));
    lastFlags.push(bundle.last);
  });
  return { b, sent, lastFlags };
}

test("report bundler - keeps reports until told, full, or due; sends them in order, once", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { b, sent } = bundler();
    b.add(Uint8Array.of(1), false);
    b.add(Uint8Array.of(2), false);
    assert.deepEqual(sent, []);
    b.add(Uint8Array.of(3), true);
    assert.deepEqual(sent, [[1, 2, 3]], "at once when a report asks for it");
    b.send();
    assert.deepEqual(sent, [[1, 2, 3]], "nothing kept: nothing sent");
    b.add(Uint8Array.of(4), false);
    mock.timers.tick(BUNDLE_WAIT_MS - 1);
    assert.equal(sent.length, 1);
    mock.timers.tick(1);
    assert.deepEqual(sent[1], [4], "once the oldest report has waited BUNDLE_WAIT_MS");
    b.add(new Uint8Array(BUNDLE_MAX_BYTES).fill(5), false);
    assert.deepEqual(sent[2], [5], "at once when the bundle is full");
    b.add(Uint8Array.of(6), false);
    b.stop();
    mock.timers.tick(BUNDLE_WAIT_MS);
    assert.equal(sent.length, 3, "a stopped host sends nothing more");
  } finally {
    mock.timers.reset();
  }
});

test("report bundler - a stopping host sends what it keeps in one last bundle, even none, and nothing after it", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { b, sent, lastFlags } = bundler();
    b.add(Uint8Array.of(1), false);
    b.add(Uint8Array.of(2), false);
    b.last();
    assert.deepEqual(sent, [[1, 2]], "the reports kept go at once");
    assert.deepEqual(lastFlags, [true], "marked last");
    b.last();
    b.add(Uint8Array.of(3), true);
    mock.timers.tick(BUNDLE_WAIT_MS);
    assert.equal(sent.length, 1, "nothing after the last bundle");

    const idle = bundler();
    idle.b.last();
    assert.deepEqual(idle.sent, [[]], "a host that holds nothing still says it is done");
    assert.deepEqual(idle.lastFlags, [true]);
  } finally {
    mock.timers.reset();
  }
});
