import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { BUNDLE_MAX_BYTES, BUNDLE_WAIT_MS, ReportBundler } from "./report-bundler.ts";
import { wire } from "./wire.ts";

function bundler() {
  const sent: number[][] = [];
  const b = new ReportBundler((bytes) => sent.push(wire.ReportBundle.decode(bytes).reports.map((r) => r[0]!)));
  return { b, sent };
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
