/**
 * σ per link and per group pair (observability/link-sigma.ts) against the closed form of pooled counts: a pair of
 * opposite hops counted A and B times over T seconds produces σ = (A − B)/T · ln(A/B) k_B/s; a link with one-way
 * currents only has no series; the jackknife error over batches is 0 when every interval counts the same.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { LinkSigma } from "../coordinator/observability/link-sigma.ts";
import type { RunView } from "../coordinator/observability/run-view.ts";
import { SPECIES_SLOTS } from "../coordinator/counts/aggregate.ts";
import { ledgerSnapshot } from "../coordinator/ledgers/snapshot.ts";
import { emptyRecordForTest } from "./support/observability.ts";
import { estimateSigmaWithErrors } from "../coordinator/thermo/index.ts";
import { INTERVAL_SIGMA_OPTIONS } from "../coordinator/ledgers/snapshot.ts";

const view: RunView = {
  runId: "r",
  scenario: "s",
  intervalNs: 1e9,
  durationNs: 4e9,
  actors: [
    { id: "a", kind: "switch", group: "net", labels: {} },
    { id: "b", kind: "switch", group: "core", labels: {} },
    { id: "c", kind: "server", group: "server", labels: {} },
  ],
  links: [
    { id: "a--b", a: 0, b: 1 },
    { id: "b--c", a: 1, b: 2 },
  ],
  ambientTemperatureK: 300,
  distributionLoss: 0,
  carbon: null,
};

/** Interval k: link a--b carries `ab` requests a→b and `ba` b→a; link b--c requests b→c only. */
function record(k: number, ab: number, ba: number) {
  const r = emptyRecordForTest(k);
  const species = 1;
  r.speciesHops.set(0 * SPECIES_SLOTS + species, ab);
  r.speciesHops.set(1 * SPECIES_SLOTS + species, ba);
  r.speciesHops.set(2 * SPECIES_SLOTS + species, 50);
  return ledgerSnapshot(view, r, (k + 1) * view.intervalNs);
}

test("link sigma - the closed form of the pooled counts, per link and per group pair; no series for one-way links", () => {
  const sigma = new LinkSigma(view, "actor");
  const counts = [
    [30, 10],
    [25, 12],
    [40, 9],
    [33, 11],
  ];
  counts.forEach(([ab, ba], k) => sigma.add(record(k, ab!, ba!), 1));
  const A = counts.reduce((s, c) => s + c[0]!, 0);
  const B = counts.reduce((s, c) => s + c[1]!, 0);
  const expected = ((A - B) / 4) * Math.log(A / B);
  const link = sigma.series.find((s) => s.scope === "actor" && s.labels.link === "a--b")!;
  assert.ok(Math.abs(link.sigmaKbPerS - expected) <= 1e-12 * expected, `${link.sigmaKbPerS} vs ${expected}`);
  assert.ok(link.stderrKbPerS > 0 && Number.isFinite(link.stderrKbPerS));
  const pair = sigma.series.find((s) => s.scope === "group")!;
  assert.deepEqual(pair.labels, { from: "core", to: "net" }, "the groups in name order");
  assert.equal(pair.sigmaKbPerS, link.sigmaKbPerS);
  assert.equal(
    sigma.series.filter((s) => s.labels.link === "b--c" || s.labels.to === "server").length,
    0,
    "one-way only: no finite σ, no series",
  );

  const steady = new LinkSigma(view, "group");
  for (let k = 0; k < 4; k++) steady.add(record(k, 20, 10), 1);
  assert.equal(steady.series.length, 1, "level group: the group pairs only");
  assert.ok(Math.abs(steady.series[0]!.sigmaKbPerS - 10 * Math.log(2)) < 1e-12);
  assert.ok(Math.abs(steady.series[0]!.stderrKbPerS) < 1e-12, "identical batches: no spread");
});

test("link sigma - a long run: batches double in length, at most 10 of them; σ pools every interval", () => {
  // Interval k carries 20 + k % 7 hops one way and 10 + k % 3 the other over link a--b.
  const ab = (k: number) => 20 + (k % 7);
  const ba = (k: number) => 10 + (k % 3);
  const sigma = new LinkSigma(view, "group");
  for (let k = 0; k < 20; k++) sigma.add(record(k, ab(k), ba(k)), 1);
  // 20 intervals: ten batches of two filled up and merged into five of four.
  assert.equal(sigma.batchCount, 5);
  const batches = Array.from({ length: 5 }, (_, b) => {
    const ks = [4 * b, 4 * b + 1, 4 * b + 2, 4 * b + 3];
    const sum = (f: (k: number) => number) => ks.reduce((s, k) => s + f(k), 0);
    return {
      durationS: 4,
      counts: [
        { from: "a", to: "b", mechanism: "hop:a--b:request", count: sum(ab) },
        { from: "b", to: "a", mechanism: "hop:a--b:request", count: sum(ba) },
      ],
    };
  });
  const expected = estimateSigmaWithErrors(batches, INTERVAL_SIGMA_OPTIONS);
  const series = sigma.series[0]!;
  assert.ok(Math.abs(series.sigmaKbPerS - expected.estimate.sigmaKbPerS) <= 1e-12 * expected.estimate.sigmaKbPerS);
  assert.ok(Math.abs(series.stderrKbPerS - expected.jackknife.stderrKbPerS) <= 1e-9 * expected.jackknife.stderrKbPerS);

  for (let k = 20; k < 5000; k++) sigma.add(record(k, ab(k), ba(k)), 1);
  assert.ok(sigma.batchCount >= 5 && sigma.batchCount <= 10, `${sigma.batchCount} batches`);
  let A = 0;
  let B = 0;
  for (let k = 0; k < 5000; k++) (A += ab(k)), (B += ba(k));
  const pooled = ((A - B) / 5000) * Math.log(A / B);
  assert.ok(
    Math.abs(sigma.series[0]!.sigmaKbPerS - pooled) <= 1e-9 * pooled,
    `${sigma.series[0]!.sigmaKbPerS} vs ${pooled}`,
  );
});
