/**
 * run.leap.exact: the selector resolves to actor indices on the resolved scenario (a server with its components);
 * what a hybrid run does not
 * support is refused with the field path (and `dctwin run` exits 2 without a stack trace); exact mode ignores it.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { ScenarioError, type ValidationIssue } from "../scenario/issues.ts";
import { runCli } from "./support/cli.ts";
import { hybridScenario } from "./support/leap-hybrid.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

type Scenario = ReturnType<typeof hybridScenario> & { actors: Record<string, unknown>[] };

function withExact(exact: unknown, edit: (s: Scenario) => void = () => {}): Scenario {
  const s = hybridScenario("hybrid", 1) as Scenario;
  (s.run.leap as Record<string, unknown>).exact = exact;
  edit(s);
  return s;
}

function issues(raw: unknown): readonly ValidationIssue[] {
  try {
    validateScenario(raw, "h.yaml");
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues;
    throw error;
  }
  return [];
}

const indexOf = (s: { actors: { id: string }[] }, id: string) => s.actors.findIndex((a) => a.id === id);

test("leap hybrid validation - groups, names with wildcards and labels select the exact servers", () => {
  const byGroup = validateScenario(withExact({ groups: ["rack-a"] }), "h.yaml").scenario;
  const s = hybridScenario("hybrid", 1);
  assert.deepEqual(byGroup.run.leap!.exact, [indexOf(s, "a0"), indexOf(s, "a1")]);
  const byName = validateScenario(withExact({ actors: ["b*"], kinds: ["server"] }), "h.yaml").scenario;
  assert.deepEqual(byName.run.leap!.exact, [indexOf(s, "b0"), indexOf(s, "b1")]);
  const labelled = withExact({ labels: { study: "yes" } }, (x) => {
    x.actors[indexOf(x, "a1")]!.labels = { rack: "a", study: "yes" };
  });
  assert.deepEqual(validateScenario(labelled, "h.yaml").scenario.run.leap!.exact, [indexOf(s, "a1")]);
  const whole = validateScenario(withExact({ actors: ["c0"] }), "h.yaml").scenario;
  assert.deepEqual(
    whole.run.leap!.exact,
    [indexOf(s, "c0"), indexOf(s, "api")],
    "a server stays exact with its component",
  );
  const plain = validateScenario(hybridScenario("leap", 1), "h.yaml").scenario;
  assert.equal(plain.run.leap!.exact, undefined, "no selector: every actor leaps");
  const exactMode = withExact({ groups: ["rack-a"] }, (x) => {
    x.run.mode = "exact";
  });
  assert.equal(validateScenario(exactMode, "h.yaml").scenario.run.leap, undefined, "exact mode: every actor is exact");
});

test("leap hybrid validation - unsupported selections are refused with the field path", () => {
  const cases: [unknown, ((s: Scenario) => void) | undefined, string, RegExp][] = [
    [
      { actors: ["leaf-a"] },
      undefined,
      "run.leap.exact",
      /switch "leaf-a": a hybrid run keeps whole servers \(with their components\) and ml_inference actors exact/,
    ],
    [{ groups: ["users-a"] }, undefined, "run.leap.exact", /client "users-a"/],
    [{ actors: ["nope"] }, undefined, "run.leap.exact.actors[0]", /no actor "nope"/],
    [{ groups: ["rack-z"] }, undefined, "run.leap.exact.groups[0]", /no actor in group "rack-z"/],
    [{}, undefined, "run.leap.exact", /expected actors, kinds, groups or labels/],
    [{ links: ["x"], actors: ["a0"] }, undefined, "run.leap.exact.links", /not links/],
    [{ actors: ["nope"], kinds: ["server"], extra: 1 }, undefined, "run.leap.exact", /extra/],
    [
      { actors: ["a0"] },
      (s) => {
        s.actors[indexOf(s, "a0")]!.calls = [{ target: "b0" }];
      },
      "run.leap.exact",
      /server "a0", which makes downstream calls \(calls\[0\]\.target\)/,
    ],
    [{ actors: ["api"] }, undefined, "run.leap.exact", /component "api" without its server "c0"/],
    [
      { actors: ["c0"] },
      (s) => {
        s.actors[indexOf(s, "api")]!.calls = [{ target: "b0" }];
      },
      "run.leap.exact",
      /service "api", which makes downstream calls \(calls\[0\]\.target\)/,
    ],
    [
      { actors: ["b0"] },
      (s) => {
        s.actors[indexOf(s, "a0")]!.calls = [{ target: "b0" }];
      },
      "run.leap.exact",
      /server "b0", which server "a0" calls/,
    ],
  ];
  for (const [selector, edit, path, message] of cases) {
    const found = issues(withExact(selector, edit));
    assert.ok(
      found.some((i) => i.path === path && message.test(i.message)),
      `${JSON.stringify(selector)}: expected ${path} ${message}, got ${JSON.stringify(found)}`,
    );
  }
});

test("leap hybrid validation - dctwin run exits 2 on a refused selection, naming the field", async () => {
  const file = writeScenario(dir.path, "bad-hybrid", withExact({ actors: ["spine"] }));
  const result = await runCli(["run", file, "--transport", "inproc", "--out", `${dir.path}/out`, "-q"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /run\.leap\.exact/);
  assert.match(result.stderr, /switch "spine"/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
});
