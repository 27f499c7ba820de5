/**
 * The Kubernetes mode, as local processes: a 2-server NATS cluster, a coordinator that waits for hosts to join
 * (`dctwin run --join`), and two `dctwin host` processes started separately, each on a different server of the
 * cluster. The results equal an in-process run's.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { NatsServer } from "../coordinator/nats-server.ts";
import { collect, runCli, startCli } from "./support/cli.ts";
import { joinRunArgs } from "./support/join-run.ts";
import { freePort } from "./support/ports.ts";
import { queueScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

test("join - hosts started separately on a 2-server NATS cluster join the coordinator; results equal inproc", async () => {
  const [routeA, routeB] = [await freePort(), await freePort()];
  const cluster = (own: number, other: number) => [
    "--cluster_name",
    `dctwin-test-${process.pid}`,
    "--cluster",
    `nats://127.0.0.1:${own}`,
    "--routes",
    `nats://127.0.0.1:${other}`,
  ];
  const a = await NatsServer.start({ name: `dctwin-test-a-${process.pid}`, args: cluster(routeA, routeB) });
  const b = await NatsServer.start({ name: `dctwin-test-b-${process.pid}`, args: cluster(routeB, routeA) });
  const children: ReturnType<typeof startCli>[] = [];
  try {
    const file = writeScenario(
      dir.path,
      "join",
      queueScenario({ rate: 400, meanServiceMs: 1, cores: 1, durationS: 2, warmupS: 0 }),
    );
    const runId = `join-${process.pid}`;
    const out = join(dir.path, "joined");
    const coordinator = startCli(joinRunArgs(file, a.url, runId, out, ["-q"]));
    children.push(coordinator);
    const coordinatorDone = collect(coordinator, 60_000);
    const hostDone = [b.url, a.url].map((url, host) => {
      const child = startCli(["host", "--nats", url, "--run", runId, "--host", String(host)]);
      children.push(child);
      return collect(child, 60_000);
    });
    const result = await coordinatorDone;
    assert.equal(result.code, 0, result.stderr);
    for (const h of await Promise.all(hostDone)) assert.equal(h.code, 0, `a host failed: ${h.stderr}`);

    const inprocOut = join(dir.path, "inproc");
    const inproc = await runCli(["run", file, "--transport", "inproc", "--out", inprocOut, "-q"]);
    assert.equal(inproc.code, 0, inproc.stderr);
    assert.equal(
      readFileSync(join(out, "summary.json"), "utf8"),
      readFileSync(join(inprocOut, "summary.json"), "utf8"),
    );
    const info = JSON.parse(readFileSync(join(out, "run-info.json"), "utf8"));
    assert.equal(info.hosts.length, 2);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await a.stop();
    await b.stop();
  }
});
