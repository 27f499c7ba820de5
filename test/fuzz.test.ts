/**
 * Property-based fuzzing (fast-check, fixed seeds, fixed run counts, so every run of the suite tries the same
 * inputs): the scenario loader throws nothing but a ScenarioError (which the CLI turns into exit 2 with field
 * paths) for arbitrary values, YAML text and bytes, and for valid scenarios with one field replaced by anything;
 * every wire decoder returns a message or undefined for arbitrary bytes; a host and a coordinator fed arbitrary
 * bytes on every subject they listen to never throw, and count each message that does not decode as dropped.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { RunDriver } from "../coordinator/driver/run-driver.ts";
import { runModels } from "../nodes/leap/support.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { subjects } from "../nodes/runtime/transport/transport.ts";
import { scenarioToJson } from "../nodes/runtime/scenario-json.ts";
import { decodePeerWindow } from "../nodes/runtime/peer-window.ts";
import { tryDecode, wire } from "../nodes/runtime/wire.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { loadScenarioText, validateScenario } from "../coordinator/scenario-loader.ts";

const SEED = 20261127;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const validScenario = {
  run: { duration: "1s", metrics_interval: "100ms" },
  actors: [
    { id: "users", kind: "client", target: "web", arrivals: { process: "poisson", rate_per_s: 100 } },
    { id: "web", kind: "server", cores: 2, service: { distribution: "exponential", mean: "1ms" }, queue_limit: 10 },
  ],
  links: [{ a: "users", b: "web", latency: "100us", bandwidth: "1Gbps" }],
};

/** Calls the loader; anything but a result or a ScenarioError fails the property. */
function onlyScenarioErrors(load: () => unknown): void {
  try {
    load();
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    assert.ok(error.issues.length > 0, "a ScenarioError names at least one problem");
  }
}

test("fuzz - the scenario loader refuses arbitrary values, text and bytes only with a ScenarioError", () => {
  fc.assert(
    fc.property(fc.anything({ maxDepth: 4 }), (raw) => onlyScenarioErrors(() => validateScenario(raw, "fuzz.yaml"))),
    { seed: SEED, numRuns: 400 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (text) => onlyScenarioErrors(() => loadScenarioText(text, "fuzz.yaml"))),
    { seed: SEED, numRuns: 400 },
  );
  const yamlish = fc
    .array(
      fc.constantFrom(
        "run:",
        " duration:",
        " 1s",
        "\n",
        "actors:",
        "- ",
        "{",
        "}",
        "[",
        "]",
        "&a",
        "*a",
        "<<:",
        "!!",
        ":",
        ",",
        "'",
        '"',
        "#",
        " ",
        "\t",
        "id: x",
        "kind: server",
        "1e999",
        "-1",
        "~",
      ),
      { maxLength: 60 },
    )
    .map((parts) => parts.join(""));
  fc.assert(
    fc.property(yamlish, (text) => onlyScenarioErrors(() => loadScenarioText(text, "fuzz.yaml"))),
    { seed: SEED, numRuns: 400 },
  );
});

test("fuzz - a valid scenario with any one field replaced by any value loads or names its problem", () => {
  const paths: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (typeof value === "object" && value !== null)
      for (const [k, v] of Object.entries(value)) walk(v, [...path, Array.isArray(value) ? Number(k) : k]);
  };
  walk(validScenario, []);
  const replacement = fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.double(),
    fc.constantFrom(
      0,
      -1,
      1e300,
      -1e300,
      2 ** 53,
      Number.NaN,
      "1e999s",
      "0.1ns",
      "999999h",
      "",
      "../../etc/passwd",
      null,
    ),
  );
  fc.assert(
    fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), replacement, (path, value) => {
      const copy = structuredClone(validScenario) as Record<string, unknown>;
      let target = copy as Record<string | number, unknown>;
      for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
      target[path[path.length - 1]!] = value;
      onlyScenarioErrors(() => validateScenario(copy, "fuzz.yaml"));
    }),
    { seed: SEED, numRuns: 600 },
  );
});

const wireTypes = {
  PeerWindow: wire.PeerWindow,
  ReportBundle: wire.ReportBundle,
  Grant: wire.Grant,
  WindowReport: wire.WindowReport,
  HostHello: wire.HostHello,
  RunStart: wire.RunStart,
  HostError: wire.HostError,
  RunStop: wire.RunStop,
  IntervalReport: wire.IntervalReport,
};

test("fuzz - every wire decoder returns a message or undefined for arbitrary bytes; batches name only real actors", () => {
  for (const [name, type] of Object.entries(wireTypes)) {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const decoded = tryDecode(type as { decode(b: Uint8Array): unknown }, bytes);
        assert.ok(decoded === undefined || typeof decoded === "object", name);
      }),
      { seed: SEED, numRuns: 500 },
    );
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), fc.integer({ min: 1, max: 50 }), (bytes, actorCount) => {
      for (const e of decodePeerWindow(bytes, actorCount)?.events ?? [])
        assert.ok(e.dst < actorCount && e.src < actorCount && e.packet!.src < actorCount && e.packet!.dst < actorCount);
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

test("fuzz - a host fed arbitrary bytes on its subjects never throws and counts every undecodable message", async () => {
  const transport = new InProcTransport();
  const runId = "fuzz";
  const s = subjects(runId);
  const agent = new HostAgent({ transport, runId, host: 0, models: runModels, helloIntervalMs: 60_000 });
  agent.start();
  const { scenario } = validateScenario(validScenario, "fuzz.yaml");
  transport.publish(
    s.start,
    wire.RunStart.encode({ scenarioJson: scenarioToJson(scenario), hostCount: 2, placement: [0, 1] }).finish(),
  );
  await settle();
  const samples = fc.sample(
    fc.tuple(fc.constantFrom(s.grant, s.peerWindow(1, 0), s.start), fc.uint8Array({ maxLength: 200 })),
    { seed: SEED, numRuns: 2000 },
  );
  let undecodable = 0;
  const before = agent.malformedMessages;
  for (const [subject, bytes] of samples) {
    const type = subject === s.start ? wire.RunStart : subject === s.grant ? wire.Grant : wire.PeerWindow;
    if (tryDecode(type as { decode(b: Uint8Array): unknown }, bytes) === undefined) undecodable++;
    transport.publish(subject, bytes);
  }
  await settle();
  assert.ok(
    agent.malformedMessages - before >= undecodable,
    `${agent.malformedMessages - before} counted, ${undecodable} undecodable`,
  );
  assert.ok(undecodable > 100, "the sample holds many undecodable messages");
  await transport.close();
});

test("fuzz - a coordinator fed arbitrary bytes on every report subject never throws; the run it waits for is not started by them", async () => {
  const transport = new InProcTransport();
  const runId = "fuzz";
  const s = subjects(runId);
  const { scenario } = validateScenario(validScenario, "fuzz.yaml");
  const driver = new RunDriver({ transport, runId, scenario, placement: [0, 1], hostCount: 2 });
  driver.listen();
  let started = false;
  transport.subscribe(s.start, () => (started = true));
  const kinds = [s.hello, s.fullWindow, s.error];
  const samples = fc.sample(
    fc.tuple(fc.constantFrom(...kinds), fc.constantFrom(0, 1), fc.uint8Array({ maxLength: 200 })),
    { seed: SEED, numRuns: 2000 },
  );
  for (const [kind, host, bytes] of samples) {
    // A hello that decodes for this very host would be a real one; keep to what the fuzz is about.
    const hello = kind === s.hello ? tryDecode(wire.HostHello, bytes) : undefined;
    if (hello !== undefined && hello.host === host) continue;
    transport.publish(kind(host), bytes);
  }
  await settle();
  assert.equal(driver.progress().hostsJoined, 0, "no fuzzed message counts as a host's hello");
  assert.equal(started, false);
  driver.stopHosts("fuzz over");
  await transport.close();
});
