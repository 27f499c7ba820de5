/**
 * `dctwin host --nats -`, as local hosts are started: the process starts before its NATS server exists, reads the
 * server's URL from the first line of standard input once the server listens, and then says hello for its run.
 * Input that ends before the URL stops the host: quietly with --exit-with-parent (the coordinator is gone), else
 * with a clear error.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { connect } from "@nats-io/transport-node";
import { hostEntryFile } from "../coordinator/host-bundle.ts";
import { NatsServer } from "../coordinator/nats-server.ts";
import { subjects } from "../nodes/runtime/transport/transport.ts";
import { wire } from "../nodes/runtime/wire.ts";

const ENTRY = hostEntryFile();

function startHost(runId: string, extra: string[] = []) {
  const child = spawn(process.execPath, [ENTRY, "host", "--nats", "-", "--run", runId, "--host", "0", ...extra], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = once(child, "exit").then(([code]) => ({ code: code as number | null, stderr }));
  return { child, exited };
}

test("a host started before its NATS server joins once it reads the server's URL", { timeout: 60_000 }, async (t) => {
  const runId = `url-stdin-${process.pid}`;
  const host = startHost(runId, ["--exit-with-parent"]);
  t.after(() => {
    if (host.child.exitCode === null) host.child.kill("SIGKILL");
  });
  const server = await NatsServer.start({ name: `dctwin-test-url-stdin-${process.pid}` });
  t.after(() => server.stop());
  const nc = await connect({ servers: server.url });
  t.after(() => nc.close());
  const hellos = nc.subscribe(subjects(runId).hello(0), { max: 1 });
  await nc.flush();

  host.child.stdin.write(`${server.url}\n`);
  let hello: ReturnType<typeof wire.HostHello.decode> | undefined;
  for await (const message of hellos) hello = wire.HostHello.decode(message.data);
  assert.equal(hello?.host, 0);
  assert.equal(hello?.pid, host.child.pid);

  host.child.stdin.end(); // the coordinator gone: the host exits
  const { code } = await host.exited;
  assert.equal(code, 3);
});

test("input that ends before the URL: exit 3 with --exit-with-parent, else exit 2 with the reason", {
  timeout: 60_000,
}, async () => {
  const withParent = startHost(`url-stdin-a-${process.pid}`, ["--exit-with-parent"]);
  withParent.child.stdin.end();
  const quiet = await withParent.exited;
  assert.equal(quiet.code, 3, quiet.stderr);
  assert.equal(quiet.stderr, "");

  const alone = startHost(`url-stdin-b-${process.pid}`);
  alone.child.stdin.end("nats://127.0.0.1:4222"); // no line end: not a whole line
  const failed = await alone.exited;
  assert.equal(failed.code, 2, failed.stderr);
  assert.match(failed.stderr, /--nats -: standard input ended before a line with the NATS URL/);
  assert.doesNotMatch(failed.stderr, /\n\s+at /, "no stack trace");
});
