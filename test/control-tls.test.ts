/**
 * The gRPC control API over TLS with client certificates (certificates made here with openssl): a plaintext
 * client and a TLS client without a certificate are refused; a client with the CA and its certificate steers the
 * run; the health service answers over TLS too.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { makeTestPki } from "./support/certificates.ts";
import { controlAddress, runCli, watchCli } from "./support/cli.ts";
import { queueScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-tls-");
after(() => dir.remove());

test("control TLS - plaintext and certificate-less clients are refused; a client with the CA and a certificate steers the run", async () => {
  const certs = makeTestPki(join(dir.path, "pki"));
  const file = writeScenario(
    dir.path,
    "long",
    queueScenario({ rate: 100, meanServiceMs: 1, cores: 1, durationS: 600, warmupS: 0 }),
  );
  const out = join(dir.path, "out");
  const run = watchCli(
    [
      "run",
      file,
      "--transport",
      "inproc",
      "--speed",
      "1",
      "--out",
      out,
      "--control-port",
      "0",
      "--control-token",
      "tok",
      "--control-tls-cert",
      certs.serverCert,
      "--control-tls-key",
      certs.serverKey,
      "--control-tls-client-ca",
      certs.ca,
    ],
    { timeoutMs: 120_000 },
  );
  try {
    const address = await controlAddress(run);
    const base = ["--control", address, "--token", "tok"];

    const plaintext = await runCli(["status", ...base]);
    assert.equal(plaintext.code, 1, plaintext.stdout);
    assert.match(plaintext.stderr, /UNAVAILABLE/);
    const noClientCert = await runCli(["status", ...base, "--control-ca", certs.ca]);
    assert.notEqual(noClientCert.code, 0);
    assert.doesNotMatch(noClientCert.stdout, /running/i);

    const tls = ["--control-ca", certs.ca, "--control-cert", certs.clientCert, "--control-key", certs.clientKey];
    const health = await runCli(["control", "health", ...base, ...tls]);
    assert.equal(health.stdout.trim(), "SERVING", health.stderr);
    const status = await runCli(["status", ...base, ...tls, "--json"]);
    assert.equal(status.code, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { status: { runId: string } }).status.runId.startsWith("run-"), true);
    const stop = await runCli(["control", "stop", ...base, ...tls]);
    assert.equal(stop.code, 0, stop.stderr);
    const stopped = await run.result;
    assert.equal(stopped.code, 130, stopped.stderr); // stopped over the API: interrupted, results written
  } finally {
    if (run.child.exitCode === null) run.child.kill("SIGKILL");
  }
});
