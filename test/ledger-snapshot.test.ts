/**
 * The ledger snapshot of an interval (coordinator/ledgers/snapshot.ts) against hand-computed figures, its
 * immutability, and the ledger book (ledgers/book.ts): one snapshot per interval, handed back unchanged to every
 * reader, a partial last interval ending where the run stopped, and a record replaced (a roll-back) not read stale.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RunAggregator, SPECIES_SLOTS } from "../coordinator/counts/aggregate.ts";
import { LedgerBook } from "../coordinator/ledgers/book.ts";
import { intervalCounts } from "../coordinator/ledgers/mechanisms.ts";
import { INTERVAL_SIGMA_OPTIONS, ledgerSnapshot, type LedgerScope } from "../coordinator/ledgers/snapshot.ts";
import { thermoCsv } from "../coordinator/ledgers/series.ts";
import { BOLTZMANN_J_PER_K, createSeededUniform, estimateSigma } from "../coordinator/thermo/index.ts";
import { emptyRecordForTest } from "./support/observability.ts";

const scope: LedgerScope = {
  actors: [
    { id: "a", kind: "server" },
    { id: "b", kind: "server" },
    { id: "cool", kind: "crac" },
  ],
  links: [{ id: "a--b", a: 0, b: 1 }],
  intervalNs: 2e9,
  ambientTemperatureK: 300,
  distributionLoss: 0.1,
  carbon: { intensity: [{ atNs: 0, gPerKwh: 360 }], embodiedGPerSByKind: { server: 0.5 } },
};

/** Interval `index`: 300 J + 100 J of IT, 50 J of cooling, 1000 bits erased; 30 hops a→b and 10 back. */
function record(index: number) {
  const r = emptyRecordForTest(index);
  r.energy.set(0, new Map([["cpu", 300]]));
  r.energy.set(1, new Map([["nic", 100]]));
  r.energy.set(2, new Map([["fans", 50]]));
  r.counters.set(0, new Map([["bits_erased", 1000]]));
  r.speciesHops.set(0 * SPECIES_SLOTS + 1, 30);
  r.speciesHops.set(1 * SPECIES_SLOTS + 1, 10);
  return r;
}

test("ledger snapshot - energies, PUE, heat entropy, Landauer power, σ and carbon of one interval by hand", () => {
  const s = ledgerSnapshot(scope, record(1), 4e9);
  assert.deepEqual([s.index, s.startNs, s.endNs, s.durationS], [1, 2e9, 4e9, 2]);
  assert.equal(s.itEnergyJ, 400);
  assert.equal(s.coolingEnergyJ, 50);
  assert.ok(Math.abs(s.distributionLossJ - 45) < 1e-12);
  assert.ok(Math.abs(s.pue! - 495 / 400) < 1e-12);
  assert.equal(s.powerW, 225);
  assert.ok(Math.abs(s.heatEntropyWPerK - 225 / 300) < 1e-15);
  assert.ok(Math.abs(s.heatEntropyKbPerS - 225 / 300 / BOLTZMANN_J_PER_K) / s.heatEntropyKbPerS < 1e-12);
  assert.ok(Math.abs(s.landauerPowerW - (1000 * BOLTZMANN_J_PER_K * 300 * Math.LN2) / 2) < 1e-30);
  // Hops 30 one way and 10 back over 2 s: σ = (30 − 10)/2 · ln 3 k_B/s.
  assert.ok(Math.abs(s.sigmaKbPerS - 10 * Math.log(3)) < 1e-12);
  assert.equal(s.transitions.length, 2);
  // 495 J at 360 g/kWh; two servers at 0.5 g/s for 2 s.
  assert.ok(Math.abs(s.operationalCarbonG! - (495 / 3.6e6) * 360) < 1e-15);
  assert.equal(s.embodiedCarbonG, 2);
});

test("ledger snapshot - frozen: no reader can change what the others read", () => {
  const s = ledgerSnapshot(scope, record(0), 2e9);
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.transitions) && s.transitions.every(Object.isFrozen));
  assert.throws(() => {
    (s as { energyJ: number }).energyJ = 0;
  }, TypeError);
  assert.throws(() => (s.transitions as unknown[]).push({}), TypeError);
});

test("ledger book - one snapshot per interval for every reader; the last ends with the run; empty ones too", () => {
  const aggregator = new RunAggregator(scope.intervalNs);
  const book = new LedgerBook(scope);
  aggregator.intervals.set(0, record(0));
  aggregator.intervals.set(2, record(2));
  const closed = book.close(aggregator.intervals.get(0)!, 2e9);
  const series = book.series(aggregator, 5e9);
  assert.equal(series.length, 3);
  assert.equal(series[0], closed, "the snapshot made at the close, not a second one");
  assert.equal(series[1]!.energyJ, 0, "interval 1: no host reported it");
  assert.deepEqual([series[2]!.startNs, series[2]!.endNs, series[2]!.durationS], [4e9, 5e9, 1]);
  assert.equal(series[2]!.powerW, 450);
  const again = book.series(aggregator, 5e9);
  assert.ok(
    again.every((s, i) => s === series[i]),
    "read twice: the same snapshots",
  );
  const rows = thermoCsv(series).trim().split("\n");
  assert.equal(rows.length, 4);
  assert.equal(rows[3]!.split(",").slice(0, 4).join(","), "4,5,450,450");

  aggregator.intervals.set(0, emptyRecordForTest(0)); // a roll-back replaced the record
  assert.equal(book.series(aggregator, 5e9)[0]!.energyJ, 0);
});

test("ledger snapshot - σ̂ is estimateSigma's over the interval's counts, to the last bit, on random intervals", () => {
  // 40 actors on a ring of links (and one link from an actor to itself), 1 to 5 species per direction, some links
  // crossed one way only, counts over six orders of magnitude, and exchange counters that never pair.
  const actors = Array.from({ length: 40 }, (_, i) => ({ id: `n${i}`, kind: "server" }));
  const links = actors.map((_, i) => ({ id: `l${i}`, a: i, b: (i + 1) % actors.length }));
  links.push({ id: "loop", a: 3, b: 3 });
  const ringScope: LedgerScope = { ...scope, actors, links, carbon: null };
  const uniform = createSeededUniform(9);
  const draw = (n: number) => Math.floor(uniform() * n);
  for (let trial = 0; trial < 50; trial++) {
    const r = emptyRecordForTest(0);
    for (let direction = 0; direction < links.length * 2; direction++) {
      if (uniform() < 0.3) continue;
      for (let species = 1; species <= 1 + draw(4); species++)
        r.speciesHops.set(direction * SPECIES_SLOTS + species, 1 + draw(10 ** (1 + draw(6))));
    }
    for (let actor = 0; actor < actors.length; actor += 3)
      r.counters.set(
        actor,
        new Map([
          ["created:1", 1 + draw(50)],
          ["consumed:2", draw(50)],
          ["bits_erased", 8],
        ]),
      );
    const snapshot = ledgerSnapshot(ringScope, r, Math.round((0.5 + uniform()) * 1e9));
    const counts = intervalCounts(ringScope, r);
    const expected = estimateSigma(counts, snapshot.durationS, INTERVAL_SIGMA_OPTIONS).sigmaKbPerS;
    assert.equal(snapshot.sigmaKbPerS, expected);
  }
});
