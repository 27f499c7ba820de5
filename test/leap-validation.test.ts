/** Leap mode's settings are validated with field paths; what leap mode cannot run yet is refused, by actor. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { ScenarioError, type ValidationIssue } from "../scenario/issues.ts";

const base = () => ({
  name: "v",
  run: { duration: "100s", metrics_interval: "1s", mode: "leap" } as Record<string, unknown>,
  actors: [
    { id: "users", kind: "client", target: "web", arrivals: { process: "poisson", rate_per_s: 10 } } as Record<
      string,
      unknown
    >,
    { id: "web", kind: "server", service: { distribution: "exponential", mean: "1ms" } },
  ],
  links: [{ a: "users", b: "web", latency: "100us" } as Record<string, unknown>],
});

function issues(raw: unknown): readonly ValidationIssue[] {
  try {
    validateScenario(raw, "v.yaml");
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues;
    throw error;
  }
  return [];
}

test("leap validation - a valid leap scenario resolves with the step as the quantum; auto picks a 1-2-5 step", () => {
  const { scenario } = validateScenario(base(), "v.yaml");
  assert.equal(scenario.run.mode, "leap");
  assert.equal(scenario.run.leap!.stepNs, 10e6, "auto: at most 1/10,000 of the run, dividing the metrics interval");
  assert.equal(scenario.run.quantumNs, scenario.run.leap!.stepNs);
  const exact = validateScenario({ ...base(), run: { duration: "100s" } }, "v.yaml").scenario;
  assert.equal(exact.run.mode, undefined, "exact runs keep their settings as before");
});

test("leap validation - bad settings are reported with their field paths; lossy links and two GPUs load", () => {
  const s = base();
  s.run.leap = { step: "300ms", epsilon: 2, fast_ratio: 0.5, samples: 0 };
  const found = issues(s).map((i) => i.path);
  assert.deepEqual(found.sort(), ["run.leap.epsilon", "run.leap.fast_ratio", "run.leap.samples"]);
  const step = base();
  step.run.leap = { step: "300ms" };
  assert.deepEqual(
    issues(step).map((i) => [i.path, /divide/.test(i.message)]),
    [["run.leap.step", true]],
  );
  const mode = base();
  mode.run.mode = "fast";
  assert.deepEqual(
    issues(mode).map((i) => i.path),
    ["run.mode"],
  );
  const closed = base();
  closed.actors[0]!.arrivals = { process: "closed", users: 3, think_time: { distribution: "exponential", mean: "1s" } };
  assert.deepEqual(issues(closed), [], "closed loops leap");
  const lossy = base();
  lossy.links[0]!.loss = 0.1;
  // ml_training and one-GPU ml_inference leap (test/leap-ml.test.ts, test/leap-ml-inference.test.ts); several GPUs
  // run exact inside the leap run (test/leap-ml-inference-exact.test.ts).
  lossy.actors.push({
    id: "infer",
    kind: "ml_inference",
    gpus: { count: 2, idle_w: 50, max_w: 300 },
    batch: { max_size: 8 },
    batch_time: { base: "1ms", per_item: "100us" },
  } as never);
  lossy.links.push({ a: "users", b: "infer", latency: "10us" });
  assert.deepEqual(issues(lossy), [], "lossy links leap (binomial thinning); two GPUs fall back to exact");
  assert.deepEqual(validateScenario(lossy, "v.yaml").scenario.run.leap!.exact, [2], "infer runs exact");
});

test("leap validation - experiment commands off step boundaries are refused", () => {
  const s = {
    ...base(),
    experiment: { faults: [{ action: "actor-crash", selector: { actors: ["web"] }, at: "10.005s", duration: "1s" }] },
  };
  assert.ok(issues(s).some((i) => i.path === "experiment" && /step boundaries/.test(i.message)));
});
