/**
 * A host's own metrics (`dctwin host --metrics-port 0`): served on loopback while it runs a shard of a paced run
 * (coordinator in --join mode over a real nats-server), passing `promtool check metrics`, with wire, batch, event
 * and event-loop-lag series that grow as the run advances.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { NatsServer } from "../coordinator/nats-server.ts";
import { collect, startCli } from "./support/cli.ts";
import { promtool } from "./support/prometheus.ts";
import { queueScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-obs-host-");
after(() => dir.remove());

function sample(text: string, name: string, labels = ""): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}`));
  assert.ok(line !== undefined, `no ${name}{${labels}...}`);
  return Number(line.slice(line.lastIndexOf(" ") + 1));
}

test("observability host - a host serves its own wire, event and event-loop metrics while it runs", async () => {
  const nats = await NatsServer.start({ name: `dctwin-test-obs-host-${process.pid}` });
  const children: ReturnType<typeof startCli>[] = [];
  try {
    const file = writeScenario(
      dir.path,
      "host",
      queueScenario({ rate: 300, meanServiceMs: 1, cores: 1, durationS: 8, warmupS: 0 }),
    );
    const runId = `obs-host-${process.pid}`;
    const coordinator = startCli([
      "run",
      file,
      "--nats",
      nats.url,
      "--join",
      "--hosts",
      "2",
      "--run-id",
      runId,
      "--speed",
      "3",
      "--out",
      join(dir.path, "out"),
      "-q",
    ]);
    children.push(coordinator);
    const coordinatorDone = collect(coordinator, 60_000);
    const hosts = [0, 1].map((host) => {
      const child = startCli([
        "host",
        "--nats",
        nats.url,
        "--run",
        runId,
        "--host",
        String(host),
        ...(host === 1 ? ["--metrics-port", "0"] : []),
      ]);
      children.push(child);
      let stderr = "";
      child.stderr!.on("data", (c: string) => (stderr += c));
      return { child, done: collect(child, 60_000), stderr: () => stderr };
    });
    const deadline = Date.now() + 20_000;
    while (!/metrics: (http:\S+)/.test(hosts[1]!.stderr())) {
      assert.ok(Date.now() < deadline, `host 1 printed no metrics URL: ${hosts[1]!.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /metrics: (http:\S+)/.exec(hosts[1]!.stderr())![1]!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    // The first sample once host 1 has run events (the URL is up before the coordinator has heard every host).
    let first = "";
    while (!/^dctwin_host_events_total\{[^}]*\} [1-9]/m.test(first)) {
      assert.ok(Date.now() < deadline + 30_000, `host 1 ran no events: ${hosts[1]!.stderr()}`);
      await new Promise((r) => setTimeout(r, 200));
      first = await (await fetch(url)).text();
    }
    await new Promise((r) => setTimeout(r, 700));
    const second = await (await fetch(url)).text();

    const check = promtool(["check", "metrics"], second);
    assert.equal(check.code, 0, `promtool:\n${check.stdout}${check.stderr}`);
    const labels = `run="${runId}",host="1"`;
    assert.ok(sample(second, "dctwin_host_events_total") > sample(first, "dctwin_host_events_total"), "events grow");
    assert.ok(sample(second, "dctwin_host_windows_total") > sample(first, "dctwin_host_windows_total"), "windows grow");
    assert.ok(sample(second, "dctwin_host_messages_total", 'direction="received",channel="grant"') > 0);
    assert.ok(
      sample(second, "dctwin_host_wire_bytes_total", 'direction="sent",channel="window"') >
        sample(first, "dctwin_host_wire_bytes_total", 'direction="sent",channel="window"'),
    );
    // Clients on host 0, the server on host 1: requests arrive in batches, responses leave in batches.
    assert.ok(sample(second, "dctwin_host_batches_total", 'direction="received"') > 0);
    assert.ok(sample(second, "dctwin_host_batches_total", 'direction="sent"') > 0);
    assert.ok(second.includes(`nodejs_eventloop_lag_seconds{${labels}}`), "event-loop lag, labelled with run and host");

    const result = await coordinatorDone;
    assert.equal(result.code, 0, result.stderr);
    for (const h of hosts) assert.equal((await h.done).code, 0, h.stderr());
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await nats.stop();
  }
});
