import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BOLTZMANN_J_PER_K,
  bitsPerJoule,
  energyPerBitKtLn2,
  entropyGenerationKbPerS,
  entropyGenerationWPerK,
  JOULES_PER_EV,
  landauerEfficiency,
  landauerEnergyJ,
  ledgerRatio,
  sigmaWPerK,
  trainingEfficiency,
  trainingFloorJ,
} from "./index.ts";
import { assertRel } from "./testing.ts";

test("heat - Landauer at 300 K", () => {
  assert.equal(BOLTZMANN_J_PER_K, 1.380649e-23);
  assertRel(landauerEnergyJ(300), 2.870978885e-21, 1e-9, "k_B T ln 2");
  assertRel(landauerEnergyJ(300) / JOULES_PER_EV, 0.01791924076, 1e-9, "eV");
  assertRel(bitsPerJoule(300), 3.483132548e20, 1e-9, "bits per joule");
  // Erasing bitsPerJoule bits per second with 1 W is exactly at the limit.
  assertRel(landauerEfficiency(bitsPerJoule(300), 1, 300), 1, 1e-15, "η_L");
  assertRel(landauerEfficiency(1e9, 100, 300), (1e9 * 2.870978885e-21) / 100, 1e-9, "η_L of 1 Gbit/s at 100 W");
  assertRel(energyPerBitKtLn2(100, 1e9, 300), 100 / 1e9 / 2.870978885e-21, 1e-9, "J per bit in k_B T ln 2");
});

test("heat - physical entropy generation and the ratio of the ledgers", () => {
  assertRel(entropyGenerationWPerK(300, 300), 1, 1e-15, "P/T");
  assertRel(entropyGenerationKbPerS(1, 300), 2.414323505e20, 1e-9, "1 W at 300 K");
  assertRel(sigmaWPerK(2.414323505e20), 1 / 300, 1e-9, "k_B·σ");
  assertRel(ledgerRatio(2.414323505e20, 1, 300), 1, 1e-9, "ledger ratio");
  assertRel(ledgerRatio(1e6, 1, 300), 1e6 / 2.414323505e20, 1e-9, "packets see a tiny share");
  assert.throws(() => entropyGenerationWPerK(1, 0), RangeError);
  assert.throws(() => landauerEnergyJ(-1), RangeError);
});

test("heat - training floor 2·N·D·k_B·T", () => {
  const floor = trainingFloorJ(1e9, 1e12, 300);
  assertRel(floor, 2 * 1e21 * 1.380649e-23 * 300, 1e-15, "floor");
  assertRel(floor, 8.283894, 1e-9, "8.28 J");
  assertRel(trainingEfficiency(1e9, 1e12, 300, 8.283894e6), 1e-6, 1e-9, "η_train");
});
