/**
 * Server power and states against exact expectations. Requests from trace clients pin a server at a known
 * number of busy cores for a known time, so the energy the run reports (the coordinator's per-actor ledger) must
 * equal the curve's watts times those times to floating-point rounding: SPECpower points at every load level,
 * idle power, 0 W when off, boot energy, DVFS (service stretched by max_freq/freq, also when the P-state changes
 * mid-service), throttling and GPU utilisation.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { tempDir } from "./support/scenarios.ts";
import { actorCommand, runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const SPEC_W = [58, 80, 93, 104, 115, 127, 140, 155, 171, 190, 212];
const DURATION_S = 4;
const LATENCY_S = 100e-6;
const SERVICE_S = 2;

function close(actual: number, expected: number, what: string) {
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} J, expected ${expected} J`,
  );
}

/** A client that sends `n` requests at `atS` to `target` (trace replay), linked to it directly. */
function burst(id: string, target: string, n: number, atS = 0) {
  return {
    id,
    kind: "client",
    target,
    arrivals: { process: "trace", rows: Array.from({ length: n }, () => ({ at: atS })) },
    request_bytes: 100,
    response_bytes: 100,
  };
}

function scenario(actors: unknown[], links: { a: string; b: string }[]) {
  return {
    name: "power",
    run: { duration: `${DURATION_S}s`, metrics_interval: "1s" },
    actors,
    links: links.map((l) => ({ ...l, latency: `${LATENCY_S * 1e6}us` })),
  };
}

test("power - a SPECpower server held at each load level draws the tabled watts; idle draws idle, off draws nothing", async () => {
  const actors: unknown[] = [];
  const links: { a: string; b: string }[] = [];
  for (let n = 0; n <= 10; n++) {
    actors.push({
      id: `s${n}`,
      kind: "server",
      cores: 10,
      service: { distribution: "deterministic", value: `${SERVICE_S}s` },
      power: { model: "specpower", points_w: SPEC_W },
    });
    if (n > 0) {
      actors.push(burst(`c${n}`, `s${n}`, n));
      links.push({ a: `c${n}`, b: `s${n}` });
    }
  }
  actors.push({
    id: "off",
    kind: "server",
    initial_state: "off",
    cores: 10,
    service: { distribution: "deterministic", value: "1s" },
    power: { model: "specpower", points_w: SPEC_W },
  });
  actors.push(burst("c-off", "off", 3));
  links.push({ a: "c-off", b: "off" });
  const { joules, summary } = await runScenario(scenario(actors, links), dir.path);

  close(joules("s0"), SPEC_W[0]! * DURATION_S, "idle server");
  for (let n = 1; n <= 10; n++)
    close(joules(`s${n}`), SPEC_W[n]! * SERVICE_S + SPEC_W[0]! * (DURATION_S - SERVICE_S), `${n * 10}% load`);
  assert.equal(joules("off"), 0, "an off server draws nothing");
  assert.equal(
    summary.packets.dropped_by_reason.server_off,
    3,
    "requests to an off server are dropped with reason server_off",
  );
  assert.equal(summary.metrics.response_time_s?.client?.count, 55, "every request to a powered server is answered");
});

test("power - power_on boots for the boot time at boot power, then idles; fail drops what it holds and draws nothing", async () => {
  const boot = { time: "1s", power_w: 150 };
  const actors = [
    {
      id: "boot",
      kind: "server",
      initial_state: "off",
      boot,
      cores: 4,
      service: { distribution: "deterministic", value: "1s" },
      power: { model: "linear", idle_w: 100, max_w: 300 },
    },
    burst("early", "boot", 1, 0.6),
    {
      id: "fails",
      kind: "server",
      cores: 4,
      service: { distribution: "deterministic", value: "3s" },
      power: { model: "linear", idle_w: 100, max_w: 300 },
    },
    burst("held", "fails", 2),
  ];
  const links = [
    { a: "early", b: "boot" },
    { a: "held", b: "fails" },
  ];
  const schedule = [actorCommand(0, 0.5e9, "power_on"), actorCommand(2, 1e9, "fail"), actorCommand(2, 3e9, "repair")];
  const { joules, summary } = await runScenario(scenario(actors, links), dir.path, { schedule });

  close(joules("boot", "boot"), 150 * 1, "boot energy");
  close(joules("boot", "cpu"), 100 * (DURATION_S - 1.5), "idle after booting");
  assert.equal(summary.packets.dropped_by_reason.server_booting, 1, "a request during the boot is refused");
  // Two of four cores busy from the arrival until the failure at 1 s, 0 W while failed, idle again after the repair at 3 s.
  close(joules("fails"), 100 * LATENCY_S + 200 * (1 - LATENCY_S) + 100 * (DURATION_S - 3), "failed server");
  assert.equal(summary.packets.dropped_by_reason.server_failed, 2, "requests in service are lost with the failure");
});

test("power - DVFS stretches service by max_freq/freq, also from a P-state change mid-service; throttling and GPUs", async () => {
  const pstate = {
    model: "pstate",
    initial: 1,
    states: [
      { freq_ghz: 3, idle_w: 100, max_w: 300 },
      { freq_ghz: 1.5, idle_w: 80, max_w: 180 },
    ],
  };
  const actors = [
    { id: "slow", kind: "server", cores: 1, service: { distribution: "deterministic", value: "1s" }, power: pstate },
    burst("c-slow", "slow", 1),
    {
      id: "switched",
      kind: "server",
      cores: 1,
      service: { distribution: "deterministic", value: "1s" },
      power: pstate,
    },
    burst("c-switched", "switched", 1),
    {
      id: "throttled",
      kind: "server",
      initial_state: "throttled",
      throttle_speed: 0.5,
      cores: 1,
      service: { distribution: "deterministic", value: "1s" },
      power: { model: "linear", idle_w: 100, max_w: 200 },
    },
    burst("c-throttled", "throttled", 1),
    {
      id: "gpu",
      kind: "server",
      cores: 8,
      service: { distribution: "deterministic", value: "1ms" },
      power: { model: "linear", idle_w: 100, max_w: 200 },
      gpus: { count: 4, idle_w: 50, max_w: 300, service: { distribution: "deterministic", value: "1s" } },
    },
    burst("c-gpu", "gpu", 2),
  ];
  const links = [
    { a: "c-slow", b: "slow" },
    { a: "c-switched", b: "switched" },
    { a: "c-throttled", b: "throttled" },
    { a: "c-gpu", b: "gpu" },
  ];
  // At 1 s the switched server has done (1 s − L) at half speed; the rest runs at full speed.
  const schedule = [actorCommand(2, 1e9, "set_pstate", { index: 0 })];
  const { joules, summary } = await runScenario(scenario(actors, links), dir.path, { schedule });
  const L = LATENCY_S;

  close(joules("slow"), 80 * L + 180 * 2 + 80 * (DURATION_S - L - 2), "1 s of work at half frequency takes 2 s");
  const doneS = 1 + (1 - (1 - L) * 0.5);
  close(
    joules("switched"),
    80 * L + 180 * (1 - L) + 300 * (doneS - 1) + 100 * (DURATION_S - doneS),
    "P-state change mid-service",
  );
  close(
    joules("throttled"),
    100 * L + 150 * 2 + 100 * (DURATION_S - L - 2),
    "throttled: half speed, half the dynamic power",
  );
  close(joules("gpu", "gpu"), 200 * DURATION_S + 2 * 250 * 1, "two of four GPUs busy for 1 s");
  close(joules("gpu", "cpu"), 100 * DURATION_S, "the CPU idles while GPUs serve");
  const rt = summary.metrics.response_time_s!.client!;
  assert.ok(Math.abs(rt.max! - (2 + 2 * L)) / 2 < 0.01, `slowest response ${rt.max} s is the 2 s stretched service`);
});
