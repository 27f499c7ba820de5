/**
 * Lossy links in leap mode: a count crossing a link with loss probability p loses a binomial part of itself
 * (nodes/runtime/transmission.ts), booked as `link_loss` as in exact mode. Checked against the closed form (each
 * direction loses the fraction p; a round trip over two lossy links completes with probability
 * (1 − p₁)²(1 − p₂)²) and against exact mode on the same scenario; packet objects are conserved.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { runScenario } from "./support/twin.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const RATE = 2000;
const LOSS_EDGE = 0.1;
const LOSS_SERVER = 0.25;

function scenario(mode: "exact" | "leap", durationS: number, seed: number) {
  return {
    name: "lossy",
    run: { duration: `${durationS}s`, seed, metrics_interval: `${durationS / 10}s`, mode, leap: { step: "50ms" } },
    actors: [
      { id: "users", kind: "client", target: "web", arrivals: { process: "poisson", rate_per_s: RATE } },
      { id: "tor", kind: "switch" },
      { id: "web", kind: "server", cores: 4, service: { distribution: "exponential", mean: "1ms" } },
    ],
    links: [
      { a: "users", b: "tor", latency: "20us", loss: LOSS_EDGE },
      { a: "tor", b: "web", latency: "20us", loss: LOSS_SERVER },
    ],
  };
}

interface Direction {
  packets: number;
  lost_packets: number;
}
interface Summary {
  packets: {
    injected: number;
    consumed: number;
    dropped: number;
    queued_at_end: number;
    in_flight_at_end: number;
    dropped_by_reason: Record<string, number>;
  };
  link_traffic: { id: string; a_to_b: Direction; b_to_a: Direction }[];
  metrics: Record<string, Record<string, { count: number }>>;
}

async function run(mode: "exact" | "leap", durationS: number, seed: number) {
  const { summary } = await runScenario(scenario(mode, durationS, seed), dir.path);
  return summary as unknown as Summary;
}

/** |seen − n·p| in binomial standard errors. */
const zScore = (seen: number, n: number, p: number) => (seen - n * p) / Math.sqrt(n * p * (1 - p));

function checkAgainstClosedForm(s: Summary, pipelineRequests: number, label: string) {
  const p = s.packets;
  assert.equal(
    p.injected,
    p.consumed + p.dropped + p.queued_at_end + p.in_flight_at_end,
    `${label}: objects conserved`,
  );
  let lostOnLinks = 0;
  for (const link of s.link_traffic) {
    const loss = link.id === "users--tor" ? LOSS_EDGE : LOSS_SERVER;
    for (const d of [link.a_to_b, link.b_to_a]) {
      const offered = d.packets + d.lost_packets;
      lostOnLinks += d.lost_packets;
      const z = zScore(d.lost_packets, offered, loss);
      assert.ok(Math.abs(z) < 4, `${label} ${link.id}: ${d.lost_packets} of ${offered} lost (${z.toFixed(2)} σ)`);
    }
  }
  assert.equal(p.dropped_by_reason.link_loss, lostOnLinks, `${label}: every loss booked as link_loss`);
  const sent = s.metrics.requests_sent!.client!.count;
  const answered = s.metrics.response_time_s!.client!.count;
  const complete = (1 - LOSS_EDGE) ** 2 * (1 - LOSS_SERVER) ** 2;
  // Requests of the last steps are still on their way at the end: at most `pipelineRequests` of them.
  const z = zScore(answered, sent, complete);
  const zTail = zScore(answered + pipelineRequests, sent, complete);
  assert.ok(z < 4 && zTail > -4, `${label}: ${answered} of ${sent} answered, ${complete.toFixed(4)} expected`);
  return answered / sent;
}

test("leap lossy links - binomial thinning per hop matches the closed form over seeds, and exact mode", async () => {
  const leap: number[] = [];
  // A round trip takes 4 hops, one step each: about 5 steps × 50 ms × 2,000/s requests are in flight at the end.
  for (const seed of [1, 2, 3])
    leap.push(checkAgainstClosedForm(await run("leap", 60, seed), 500, `leap seed ${seed}`));
  const exact = checkAgainstClosedForm(await run("exact", 10, 1), 20, "exact");
  const leapMean = leap.reduce((a, b) => a + b, 0) / leap.length;
  // Exact mode's 20,000 requests give its answered fraction a standard error of about 0.0035.
  assert.ok(
    Math.abs(leapMean - exact) < 0.014,
    `answered fraction: leap ${leapMean.toFixed(4)}, exact ${exact.toFixed(4)}`,
  );
});
