/**
 * OpenTelemetry in leap mode: a sampled count (one step's requests of a client, as one packet) is a journey
 * span; its events (create, hop, split, merge, consume, drop) carry the real packets they stand for
 * (`dctwin.packet.multiplicity`), so a journey conserves real packets: the requests and responses it creates are
 * the ones it consumes or drops. Checked at a real OTLP receiver.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "./support/cli.ts";
import { OtlpReceiver } from "./support/otlp-receiver.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const scenario = {
  name: "leap-traced",
  run: {
    duration: "10s",
    seed: 2,
    metrics_interval: "1s",
    mode: "leap",
    leap: { step: "100ms", samples: 4 },
    trace_sample_ratio: 0.25,
  },
  actors: [
    {
      id: "users",
      kind: "client",
      target: "lb",
      arrivals: { process: "poisson", rate_per_s: 2000 },
      request_bytes: 100,
      response_bytes: 100,
    },
    { id: "lb", kind: "load_balancer", replicas: ["s1", "s2"], policy: "random" },
    { id: "s1", kind: "server", service: { distribution: "exponential", mean: "1ms" } },
    { id: "s2", kind: "server", service: { distribution: "exponential", mean: "1ms" } },
  ],
  links: [
    { a: "users", b: "lb", latency: "50us", loss: 0.05 },
    { a: "lb", b: "s1", latency: "50us" },
    { a: "lb", b: "s2", latency: "50us" },
  ],
};

test("leap tracing - sampled counts are journeys whose events carry counts; real packets are conserved per journey", async () => {
  const receiver = await OtlpReceiver.start();
  try {
    const result = await runCli(
      [
        "run",
        writeScenario(dir.path, "traced", scenario),
        "--transport",
        "inproc",
        "--out",
        join(dir.path, "out"),
        "-q",
      ],
      { env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: "dctwin-leap-test" } },
    );
    assert.equal(result.code, 0, result.stderr);
    const journeys = receiver.spans.filter((s) => s.name === "journey");
    // 100 steps of client counts, a quarter sampled (by hash): about 25 journeys.
    assert.ok(journeys.length >= 10 && journeys.length <= 45, `journeys: ${journeys.length}`);
    const finished = journeys.filter((j) => j.attributes["dctwin.finished"] === true);
    assert.ok(finished.length >= journeys.length - 3, "all but the counts in flight at the end complete");
    for (const j of finished) {
      assert.ok(
        (j.attributes["dctwin.count"] as number) > 50,
        `a step's count (~200): ${j.attributes["dctwin.count"]}`,
      );
      const total = (kinds: string[], species: number) =>
        j.events
          .filter((e) => kinds.includes(e.name) && e.attributes["dctwin.packet.species"] === species)
          .reduce((s, e) => s + (e.attributes["dctwin.packet.multiplicity"] as number), 0);
      for (const species of [1, 2]) {
        const created = total(["create"], species);
        assert.ok(created > 0, `species ${species} created`);
        assert.equal(created, total(["consume", "drop"], species), `species ${species}: created = consumed + dropped`);
      }
      const names = new Set(j.events.map((e) => e.name));
      assert.ok(names.has("split"), "the balancer and the servers' sojourn samples split the count");
      assert.ok(names.has("hop"));
    }
    assert.ok(
      finished.some((j) =>
        j.events.some((e) => e.name === "drop" && e.attributes["dctwin.drop_reason"] === "link_loss"),
      ),
      "the lossy link's thinned part is a drop event of the journey",
    );
  } finally {
    await receiver.close();
  }
});
