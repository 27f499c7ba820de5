import assert from "node:assert/strict";
import { test } from "node:test";
import { MarkovModelError, solveMarkovModel, validateMarkovModel, type MarkovModelSpec } from "./index.ts";

test("spec - a valid model has no issues", () => {
  const spec: MarkovModelSpec = {
    states: ["a", "b"],
    transitions: [
      { from: "a", to: "b", rate: 1, mechanism: "x" },
      { from: "b", to: "a", rate: 2, mechanism: "x" },
    ],
  };
  assert.deepEqual(validateMarkovModel(spec), []);
});

test("spec - every issue at once, with field paths", () => {
  const issues = validateMarkovModel({
    states: ["a", "b", "a", ""],
    transitions: [
      { from: "a", to: "c", rate: 1 },
      { from: "a", to: "a", rate: 1 },
      { from: "a", to: "b", rate: -1 },
      { from: "a", to: "b", rate: Number.NaN, mechanism: 3 },
      { from: "a", to: "b", rate: 1 },
      { from: "a", to: "b", rate: 2 },
      "nonsense",
    ],
  });
  assert.deepEqual(
    issues.map((i) => i.path),
    [
      "states[2]",
      "states[3]",
      "transitions[0].to",
      "transitions[1].to",
      "transitions[2].rate",
      "transitions[3].rate",
      "transitions[3].mechanism",
      "transitions[5]",
      "transitions[6]",
    ],
  );
  assert.deepEqual(validateMarkovModel(null), [
    { path: "", message: "expected an object with states and transitions" },
  ]);
  assert.equal(validateMarkovModel({ states: [], transitions: {} }).length, 2);
});

test("spec - not irreducible and the error thrown by the solver", () => {
  const spec: MarkovModelSpec = {
    states: ["a", "b", "c"],
    transitions: [
      { from: "a", to: "b", rate: 1 },
      { from: "b", to: "a", rate: 1 },
      { from: "b", to: "c", rate: 1 },
      { from: "c", to: "b", rate: 0 },
    ],
  };
  const issues = validateMarkovModel(spec);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.path, "transitions");
  assert.match(issues[0]!.message, /not irreducible: "c"/);
  assert.throws(
    () => solveMarkovModel(spec),
    (e: unknown) => e instanceof MarkovModelError && e.issues.length === 1,
  );
});
