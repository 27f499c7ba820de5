/**
 * OpenTelemetry's standard environment, with the in-test OTLP receiver: OTEL_RESOURCE_ATTRIBUTES reach the
 * resource; OTEL_TRACES_SAMPLER=traceidratio with OTEL_TRACES_SAMPLER_ARG keeps that share of the journeys; no span
 * names a parent that was not exported; journeys with a drop have error status; span names do not carry ids;
 * a failing export is warned about and counted in run-info.json and dctwin_trace_spans_export_failed_total.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { collect, runCli, startCli } from "./support/cli.ts";
import { OtlpReceiver } from "./support/otlp-receiver.ts";
import { freePort } from "./support/ports.ts";
import { queueScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-otel-env-");
after(() => dir.remove());

// 400 flows/s for 2 s, every flow traced by the twin; 3% wire loss so some journeys end in a drop.
function traced() {
  const s = queueScenario({ rate: 400, meanServiceMs: 1, cores: 2, durationS: 2, warmupS: 0 });
  return { ...s, run: { ...s.run, trace_sample_ratio: 1 }, links: [{ ...s.links[0], loss: 0.03 }] };
}

test("tracing env - resource attributes, trace-id ratio sampling, no dangling parents, error status on drops", async () => {
  const receiver = await OtlpReceiver.start();
  try {
    const env = {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      OTEL_RESOURCE_ATTRIBUTES: "k8s.pod.name=twin-0,deployment.environment=test",
      OTEL_TRACES_SAMPLER: "traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.25",
    };
    const out = join(dir.path, "sampled");
    const run = await runCli(
      ["run", writeScenario(dir.path, "sampled", traced()), "--transport", "inproc", "--out", out],
      { env },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /sampler traceidratio 0\.25, OTLP http\/protobuf/);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const flows = summary.metrics.requests_sent.client.sum as number;
    const journeys = receiver.spans.filter((s) => s.name === "journey");
    // Binomial(flows, 1/4): within 4 standard deviations.
    const sd = Math.sqrt(flows * 0.25 * 0.75);
    assert.ok(
      Math.abs(journeys.length - flows / 4) < 4 * sd,
      `${journeys.length} of ${flows} journeys kept at ratio 0.25`,
    );
    for (const s of receiver.spans) {
      assert.equal(s.resource["k8s.pod.name"], "twin-0");
      assert.equal(s.resource["deployment.environment"], "test");
      assert.equal(s.resource["service.name"], "dctwin");
    }
    const ids = new Set(receiver.spans.map((s) => s.spanId));
    const dangling = receiver.spans.filter((s) => s.parentSpanId !== "" && !ids.has(s.parentSpanId));
    assert.deepEqual(
      dangling.map((s) => s.name),
      [],
      "every parent named is exported",
    );
    assert.deepEqual(
      [...new Set(receiver.spans.map((s) => s.name))].sort(),
      ["interval", "journey", "run"].filter((n) => receiver.spans.some((s) => s.name === n)),
      "low-cardinality names",
    );
    const dropped = journeys.filter((j) => j.events.some((e) => e.name === "drop"));
    assert.ok(dropped.length > 0, "some journeys lost a packet");
    for (const j of journeys)
      assert.equal(
        j.statusCode,
        j.events.some((e) => e.name === "drop") ? 2 : 0,
        `status of a journey ${j.events.map((e) => e.name).join(",")}`,
      );
    assert.match(dropped[0]!.statusMessage, /packet dropped at clients: link_loss|packet dropped at \S+: \S+/);
    for (const j of journeys) assert.equal(j.attributes["dctwin.time_base"], "simulated");
    for (const s of receiver.spans.filter((x) => x.name !== "journey"))
      assert.equal(s.attributes["dctwin.time_base"], "wall");
  } finally {
    await receiver.close();
  }
});

test("tracing env - a failing export is warned about and counted (run-info.json and Prometheus)", async () => {
  const closed = await freePort(); // nothing listens there
  const metricsPort = await freePort();
  const out = join(dir.path, "failing");
  const child = startCli(
    [
      "run",
      writeScenario(dir.path, "failing", traced()),
      "--transport",
      "inproc",
      "--out",
      out,
      "--metrics-port",
      String(metricsPort),
      "--metrics-linger",
      "30",
    ],
    { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${closed}/v1/traces` },
  );
  const finished = collect(child, 120_000);
  try {
    // Once the run is over (the endpoint lingers), the counter holds the final count.
    let exposition = "";
    while (!/^dctwin_run_finished\{[^}]*\} 1$/m.test(exposition) || !existsSync(join(out, "run-info.json"))) {
      if (child.exitCode !== null) assert.fail("the run ended before its metrics were read");
      await new Promise((r) => setTimeout(r, 200));
      exposition = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
        .then((r) => r.text())
        .catch(() => "");
    }
    const counted = Number(/^dctwin_trace_spans_export_failed_total\{[^}]*\} (\S+)$/m.exec(exposition)?.[1]);
    const info = JSON.parse(readFileSync(join(out, "run-info.json"), "utf8"));
    assert.ok(info.tracing.spans_export_failed > 0, `counted: ${JSON.stringify(info.tracing)}`);
    assert.equal(counted, info.tracing.spans_export_failed, "the Prometheus counter says the same");
  } finally {
    child.kill("SIGINT"); // ends the linger
  }
  const run = await finished;
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /warning: trace export failed/);
});

test("tracing env - OTEL_EXPORTER_OTLP_PROTOCOL=grpc exports over OTLP/gRPC", async () => {
  const receiver = await OtlpReceiver.startGrpc();
  try {
    const out = join(dir.path, "grpc");
    const run = await runCli(
      ["run", writeScenario(dir.path, "grpc", traced()), "--transport", "inproc", "--out", out],
      { env: { OTEL_EXPORTER_OTLP_PROTOCOL: "grpc", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url } },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /OTLP grpc/);
    const info = JSON.parse(readFileSync(join(out, "run-info.json"), "utf8"));
    assert.ok(info.tracing.journeys_exported > 500, `${info.tracing.journeys_exported} journeys`);
    assert.equal(receiver.spans.filter((s) => s.name === "journey").length, info.tracing.journeys_exported);
    assert.equal(info.tracing.spans_export_failed, 0);
  } finally {
    await receiver.close();
  }
});
