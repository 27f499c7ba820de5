/**
 * Components sharing their server's cores dynamically (`core_sharing: dynamic`) and the energy of work lost in a
 * component: two components whose work never overlaps on one core cost what one does; overlapping work waits in
 * one FIFO line with the server's own requests (a hand-computed timeline and integral); two components pooled on
 * two cores against the M/M/2 (Erlang C) closed form; and the wasted energy of a component's lost request, in
 * proportion to the cores it held, summing with the server's to the draw the lost work added.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { halfWidth, type ReportedBatchMeans } from "./support/ci.ts";
import { tempDir } from "./support/scenarios.ts";
import { actorCommand, runScenario } from "./support/twin.ts";
import { join } from "node:path";
import { runTwin } from "../coordinator/run.ts";
import { createRunRegistry } from "../coordinator/observability/prometheus/exporter.ts";
import { RunState } from "../coordinator/observability/run-state.ts";
import { runViewFromScenario } from "../coordinator/observability/run-view.ts";

const dir = tempDir();
after(() => dir.remove());

const L = 100e-6; // link latency (no bandwidth limit: a hop takes exactly this)
const linear = { model: "linear", idle_w: 100, max_w: 300 };

function close(actual: number | null | undefined, expected: number, what: string) {
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual}, expected ${expected}`,
  );
}

const det = (value: string) => ({ distribution: "deterministic", value });

function client(id: string, target: string, at: number[]) {
  return {
    id,
    kind: "client",
    target,
    arrivals: { process: "trace", rows: at.map((t) => ({ at: t })) },
    request_bytes: 100,
    response_bytes: 100,
  };
}

/** One 1-core server, `components` on it, clients to each; every client on its own link. */
function oneCore(components: Record<string, unknown>[], clients: ReturnType<typeof client>[], sharing = "dynamic") {
  return {
    name: "core-sharing",
    run: { duration: "4s", metrics_interval: "1s" },
    actors: [
      ...clients,
      { id: "host", kind: "server", cores: 1, service: det("1s"), power: linear, core_sharing: sharing },
      ...components,
    ],
    links: clients.map((c) => ({ a: c.id, b: "host", latency: "100us" })),
  };
}

const service = (id: string) => ({ id, kind: "service", placed_on: "host", cpu: 1, service: det("500ms") });

test("core sharing - two components whose work never overlaps on one core cost what one component does", async () => {
  const two = await runScenario(
    oneCore([service("a"), service("b")], [client("ca", "a", [0.5]), client("cb", "b", [2])]),
    dir.path,
  );
  const one = await runScenario(oneCore([service("a")], [client("ca", "a", [0.5, 2])]), dir.path);
  // 100 W for 4 s, and 200 W more while one of the two requests holds the core (0.5 s each).
  const expected = 100 * 4 + 200 * 2 * 0.5;
  close(two.joules("host", "cpu"), expected, "two components");
  close(one.joules("host", "cpu"), expected, "one component");
  const responses = (s: typeof one.summary, group: string) => s.metrics.response_time_s?.[group]?.whole_run;
  close(responses(two.summary, "client")?.max, 0.5 + 2 * L, "response, two components");
  close(responses(one.summary, "client")?.max, 0.5 + 2 * L, "response, one component");
  // The energy is linear in utilisation: equal energy is an equal utilisation integral (the core busy 1 s in 4).
  // With reserved cores, the same placement does not fit: 2 cores reserved on a 1-core server.
  assert.throws(
    () => validateScenario(oneCore([service("a"), service("b")], [client("ca", "a", [0.5])], "reserved"), "t"),
    (e: unknown) =>
      e instanceof ScenarioError &&
      e.issues.some((i) => i.path === "actors[3].placed_on" && /reserve 2/.test(i.message)),
  );
});

test("core sharing - overlapping work waits for the core in one FIFO line with the server's own requests", async () => {
  // a's request arrives at 0.5001 s and holds the core to 1.0001 s; b's (0.7001 s) waits for it and runs to
  // 1.5001 s; the server's own request (0.8001 s, 1 s of work) waits behind b and runs to 2.5001 s.
  const { summary, joules } = await runScenario(
    oneCore(
      [service("a"), service("b")],
      [client("ca", "a", [0.5]), client("cb", "b", [0.7]), client("cs", "host", [0.8])],
    ),
    dir.path,
  );
  const m = summary.metrics;
  assert.equal(summary.packets.dropped, 0);
  close(m.response_time_s?.client?.whole_run.min, 0.5 + 2 * L, "a's response");
  close(m.queue_wait_s?.service?.whole_run.max, 1.0001 - 0.7001, "b's wait for the core");
  close(m.queue_wait_s?.server?.whole_run.max, 1.5001 - 0.8001, "the server's own request waits behind b");
  close(m.response_time_s?.client?.whole_run.max, 2.5001 + L - 0.8, "the server's own response");
  close(m.service_time_s?.service?.whole_run.sum, 1, "each component request ran its 0.5 s");
  // The core is busy without a gap from 0.5001 s to 2.5001 s: 200 W more for 2 s.
  close(joules("host", "cpu"), 100 * 4 + 200 * 2, "CPU energy");
});

test("core sharing - two components pooled on two cores: Erlang C queue wait (M/M/2)", async () => {
  const mu = 1000;
  const c = 2;
  const lambda = 0.7 * c * mu; // split evenly between the two components
  const a = lambda / mu;
  const rho = a / c;
  const lastTerm = (a * a) / 2 / (1 - rho);
  const waitProbability = lastTerm / (1 + a + lastTerm);
  const wq = waitProbability / (c * mu - lambda);
  const poisson = (id: string, target: string) => ({
    id,
    kind: "client",
    target,
    arrivals: { process: "poisson", rate_per_s: lambda / 2 },
    request_bytes: 100,
    response_bytes: 100,
  });
  const comp = (id: string) => ({
    id,
    kind: "service",
    group: "pooled",
    placed_on: "host",
    concurrency: 64, // slots never bind: every request joins the server's line for a core at once
    cpu: 1,
    service: { distribution: "exponential", mean: "1ms" },
  });
  const duration = 60;
  const { summary, joules } = await runScenario(
    {
      name: "mm2",
      run: { duration: `${duration}s`, seed: 5, metrics_interval: "500ms", warmup: "2s" },
      actors: [
        poisson("ca", "a"),
        poisson("cb", "b"),
        { id: "host", kind: "server", cores: c, service: det("1ms"), power: linear, core_sharing: "dynamic" },
        comp("a"),
        comp("b"),
      ],
      links: [
        { a: "ca", b: "host", latency: "50us" },
        { a: "cb", b: "host", latency: "50us" },
      ],
    },
    dir.path,
  );
  const bm = summary.metrics.queue_wait_s?.pooled?.batch_means as ReportedBatchMeans | null | undefined;
  assert.ok(bm, "queue wait batch means");
  const half = halfWidth(bm);
  assert.ok(Math.abs(bm.mean - wq) <= half, `queue wait ${bm.mean} s vs Erlang C ${wq} s (99% half-width ${half} s)`);
  assert.ok(half / wq < 0.15, `interval too wide: ${half} s`);
  // Utilisation from the energy: (E − idle·T) / (200 W per core of 2, 100 W each) = busy core-seconds ≈ a·T.
  const busyCores = (joules("host", "cpu") - 100 * duration) / 100 / duration;
  assert.ok(Math.abs(busyCores - a) < 0.03 * a, `mean busy cores ${busyCores} vs λ/μ = ${a}`);
});

/** A 2-core server with its own request and a component's (0.5 core) in service when it fails at 1.5 s. */
function failing() {
  const actors = [
    client("cs", "host", [0.5]),
    client("ca", "a", [0.5]),
    {
      id: "host",
      kind: "server",
      cores: 2,
      service: det("2s"),
      power: linear,
      account_lost_work: true,
      core_sharing: "dynamic",
    },
    { id: "a", kind: "service", placed_on: "host", cpu: 0.5, service: det("2s") },
  ];
  return {
    name: "lost",
    run: { duration: "4s", metrics_interval: "1s" },
    actors,
    links: [
      { a: "cs", b: "host", latency: "100us" },
      { a: "ca", b: "host", latency: "100us" },
    ],
  };
}

test("lost work - a component's request lost to a server failure: its share of the added draw, by cores held", async () => {
  // 2 cores, 100 W idle .. 300 W: 100 W per busy core. From 0.5001 s the server's own request (1 core) and the
  // component's (0.5 core) are in service: 150 W added, 100 W for the server's request, 50 W for the component's.
  // The server fails at 1.5 s: both are lost after 0.9999 s.
  const { summary, joules } = await runScenario(failing(), dir.path, {
    schedule: [actorCommand(2, 1.5e9, "fail")],
  });
  const m = summary.metrics;
  const held = 1.5 - 0.5001;
  close(m.wasted_energy_uj?.server?.whole_run.sum, 100 * held * 1e6, "server's wasted µJ");
  close(m.wasted_energy_uj?.service?.whole_run.sum, 50 * held * 1e6, "component's wasted µJ");
  close(m.lost_core_s?.service?.whole_run.sum, 0.5 * held, "component's lost core time");
  close(m.lost_core_s?.server?.whole_run.sum, held, "server's lost core time");
  // The sum over the family is the draw the lost work added: the CPU energy above idle while up.
  const addedJ = joules("host", "cpu") - 100 * 1.5;
  close(
    (m.wasted_energy_uj!.server!.whole_run.sum! + m.wasted_energy_uj!.service!.whole_run.sum!) / 1e6,
    addedJ,
    "sum",
  );
});

test("lost work - a component that crashes records what its request in service had been charged", async () => {
  const actors = [
    client("ca", "a", [0.5]),
    { id: "host", kind: "server", cores: 2, service: det("2s"), power: linear, account_lost_work: true },
    { id: "a", kind: "service", placed_on: "host", cpu: 1, service: det("2s") },
  ];
  const { summary, joules } = await runScenario(
    {
      name: "crash",
      run: { duration: "4s", metrics_interval: "1s" },
      actors,
      links: [{ a: "ca", b: "host", latency: "100us" }],
    },
    dir.path,
    { schedule: [actorCommand(2, 1.5e9, "crash")] },
  );
  const held = 1.5 - 0.5001;
  close(summary.metrics.wasted_energy_uj?.service?.whole_run.sum, 100 * held * 1e6, "wasted µJ");
  close(summary.metrics.lost_core_s?.service?.whole_run.sum, held, "lost core time");
  close(joules("host", "cpu"), 100 * 4 + 100 * held, "the server's CPU energy");
  assert.equal(summary.metrics.wasted_energy_uj?.server, undefined, "the server lost nothing of its own");
});

test("lost work - Prometheus: the wasted_energy family summed over its groups is the energy of all lost work", async () => {
  const { scenario: resolved } = validateScenario(failing(), "t");
  const state = new RunState(runViewFromScenario(resolved, "r-lost"), "group");
  const registry = createRunRegistry(state, false);
  await runTwin({
    scenario: resolved,
    hosts: 1,
    transport: "inproc",
    runId: "r-lost",
    outDir: join(dir.path, "prom"),
    schedule: [actorCommand(2, 1.5e9, "fail")],
    onIntervalClosed: (r) => state.onIntervalClosed(r),
  });
  const text = await registry.metrics();
  const sums = [...text.matchAll(/^dctwin_group_wasted_energy_joules_sum\{group="([^"]+)",run="r-lost"\} (\S+)$/gm)];
  assert.deepEqual(sums.map((m) => m[1]).sort(), ["server", "service"], text);
  const total = sums.reduce((s, m) => s + Number(m[2]), 0);
  const held = 1.5 - 0.5001;
  assert.ok(Math.abs(total - 150 * held) < 1e-6, `family sum ${total} J vs ${150 * held} J`);
  const whole = text.match(/^dctwin_wasted_energy_joules_sum\{run="r-lost"\} (\S+)$/m);
  assert.ok(whole !== null && Math.abs(Number(whole[1]) - total) < 1e-9, "the run-level family is the groups' sum");
});

test("core sharing - placement on dynamic servers reserves nothing; one request must fit the server's cores", () => {
  const servers = ["s0", "s1"].map((id) => ({
    id,
    kind: "server",
    cores: 2,
    service: det("1ms"),
    core_sharing: "dynamic",
  }));
  const scenario = (components: Record<string, unknown>[]) => ({
    name: "placement",
    run: { duration: "1s" },
    actors: [...servers, ...components],
    links: [{ a: "s0", b: "s1", latency: "1us" }],
  });
  // Four replicas of 2 × 2 cores each would need 16 reserved cores; dynamically they all fit on s0.
  const { scenario: resolved } = validateScenario(
    scenario([
      {
        id: "w",
        kind: "service",
        replicas: 4,
        concurrency: 2,
        cpu: 2,
        service: det("1ms"),
        placement: { rule: "pack" },
      },
    ]),
    "t",
  );
  assert.deepEqual(
    resolved.actors.filter((a) => a.kind === "service").map((a) => resolved.actors[a.placedOn!]!.id),
    ["s0", "s0", "s0", "s0"],
  );
  const problems = (components: Record<string, unknown>[]) => {
    try {
      validateScenario(scenario(components), "t");
      return [];
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      return e.issues.map((i) => `${i.path}: ${i.message}`);
    }
  };
  assert.deepEqual(problems([{ id: "big", kind: "service", cpu: 3, placed_on: "s0", service: det("1ms") }]), [
    'actors[2].placed_on: "s0" has 2 cores, and one request of "big" needs 3',
  ]);
  assert.deepEqual(
    problems([{ id: "big", kind: "service", cpu: 3, placement: { rule: "pack" }, service: det("1ms") }]),
    ['actors[2].placement: cannot place replica 1 of 1 ("big"): no selected server has 3 free cores'],
  );
  const ps = { ...servers[0], discipline: "ps" };
  assert.throws(
    () => validateScenario({ ...scenario([]), actors: [ps, servers[1]] }, "t"),
    (e: unknown) =>
      e instanceof ScenarioError &&
      e.issues.some(
        (i) => i.path === "actors[0].core_sharing" && i.message === "dynamic core sharing needs the fifo discipline",
      ),
  );
});
