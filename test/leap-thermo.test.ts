/**
 * The irreversibility ledger in leap mode, against exact mode on the same scenarios (docs/thermo.md, docs/leap.md):
 *  - a driven ring (three switches, each client served one switch clockwise: requests circulate one way, responses
 *    the other): every one-way current agrees with exact mode within its error bars (counts are Poisson:
 *    3 standard errors of the difference, √(n_a + n_b)/T);
 *  - symmetric traffic (two sites serving each other at the same rate): each species crosses the middle link both
 *    ways at the same rate, and the ledger's G test of detailed balance, applied to those pairs, does not reject,
 *    in exact and in leap mode alike. (The run's own test covers every mechanism, and a client's requests are
 *    created one way only, so with clients it always rejects: the middle link is the part that is symmetric.)
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";
import type { irreversibilityLedger } from "../coordinator/ledgers/irreversibility.ts";
import { detailedBalanceTest } from "../coordinator/thermo/detailed-balance.ts";
import type { SigmaEstimate } from "../coordinator/thermo/estimators.ts";

type Estimate = Extract<ReturnType<typeof irreversibilityLedger>, { sigma_kb_per_s: number }>;

const dir = tempDir();
after(() => dir.remove());

const link = (a: string, b: string) => ({ a, b, latency: "20us", bandwidth: "10Gbps" });
const server = (id: string) => ({
  id,
  kind: "server",
  cores: 2,
  service: { distribution: "exponential", mean: "2ms" },
});
const client = (id: string, target: string, rate: number) => ({
  id,
  kind: "client",
  target,
  arrivals: { process: "poisson", rate_per_s: rate },
  request_bytes: 400,
  response_bytes: 1500,
});

async function ledger(scenario: { run: Record<string, unknown> }, mode: "exact" | "leap") {
  const run = mode === "leap" ? { ...scenario.run, mode: "leap", leap: { step: "10ms" } } : scenario.run;
  const { summary } = await runScenario({ ...scenario, run }, dir.path);
  const ir = summary.thermodynamics.irreversibility;
  assert.ok("sigma_kb_per_s" in ir, `no estimate: ${JSON.stringify(ir)}`);
  return ir as Estimate;
}

test("leap thermo - a driven ring: every one-way current agrees with exact mode within its error bars", async () => {
  const sites = [0, 1, 2];
  const scenario = {
    name: "driven-ring",
    run: { duration: "20s", seed: 5, metrics_interval: "1s", warmup: "1s" },
    actors: sites.flatMap((i) => [
      { id: `sw${i}`, kind: "switch" },
      server(`s${i}`),
      client(`c${i}`, `s${(i + 1) % 3}`, 300 + 100 * i),
    ]),
    links: sites.flatMap((i) => [link(`sw${i}`, `sw${(i + 1) % 3}`), link(`c${i}`, `sw${i}`), link(`s${i}`, `sw${i}`)]),
  };
  const exact = await ledger(scenario, "exact");
  const leap = await ledger(scenario, "leap");
  const key = (c: { kind: string; species: string; from: string; to: string }) =>
    `${c.kind} ${c.species} ${c.from}->${c.to}`;
  const leapByKey = new Map(leap.irreversible_currents.map((c) => [key(c), c]));
  assert.deepEqual(
    [...leapByKey.keys()].sort(),
    exact.irreversible_currents.map(key).sort(),
    "the same one-way mechanisms",
  );
  const ringHops = exact.irreversible_currents.filter(
    (c) => c.kind === "hop" && /^sw\d$/.test(c.from) && /^sw\d$/.test(c.to),
  );
  assert.equal(ringHops.length, 6, "requests one way round the ring, responses the other");
  for (const a of exact.irreversible_currents) {
    const b = leapByKey.get(key(a))!;
    const errorBar = Math.sqrt(a.count + b.count) / exact.duration_s;
    assert.ok(
      Math.abs(a.current_per_s - b.current_per_s) <= 3 * errorBar,
      `${key(a)}: exact ${a.current_per_s}/s, leap ${b.current_per_s}/s (3 standard errors: ${3 * errorBar})`,
    );
  }
});

test("leap thermo - symmetric traffic passes the detailed-balance test in exact and in leap mode", async () => {
  const scenario = {
    name: "symmetric",
    run: { duration: "20s", seed: 9, metrics_interval: "1s", warmup: "1s" },
    actors: [
      { id: "left", kind: "switch" },
      { id: "right", kind: "switch" },
      server("s-left"),
      server("s-right"),
      client("c-left", "s-right", 400),
      client("c-right", "s-left", 400),
    ],
    links: [
      link("left", "right"),
      link("c-left", "left"),
      link("s-left", "left"),
      link("c-right", "right"),
      link("s-right", "right"),
    ],
  };
  for (const mode of ["exact", "leap"] as const) {
    const ir = await ledger(scenario, mode);
    const middle = ir.links.filter((l) => l.link === "left--right" || l.link === "right--left");
    assert.ok(
      middle.length >= 2 && middle.every((l) => !l.reverse_never_seen),
      `${mode}: both species cross the middle link both ways: ${JSON.stringify(middle)}`,
    );
    assert.deepEqual(middle.map((l) => l.species).sort(), ["request", "response"]);
    const pairs = {
      edges: middle.map((l) => ({
        from: l.from,
        to: l.to,
        forwardCount: l.packets_forward,
        reverseCount: l.packets_reverse,
      })),
      irreversible: [],
    };
    const db = detailedBalanceTest(pairs as unknown as SigmaEstimate);
    assert.equal(db.dof, 1, "two species over one link: one cycle");
    assert.equal(db.reject, false, `${mode}: G = ${db.statistic}, p = ${db.pValue}: ${JSON.stringify(middle)}`);
    // The same test sees a 10% imbalance at these counts: it has the power to reject.
    const skewed = {
      edges: pairs.edges.map((e) => ({ ...e, forwardCount: Math.round(e.forwardCount * 1.1) })),
      irreversible: [],
    };
    assert.equal(detailedBalanceTest(skewed as unknown as SigmaEstimate).reject, true);
  }
});
