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
