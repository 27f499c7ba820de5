/**
 * The gRPC control API over TLS with client certificates (certificates made here with openssl): a plaintext
 * client and a TLS client without a certificate are refused; a client with the CA and its certificate steers the
 * run; the health service answers over TLS too.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { after, test } from "node:test";
import { collect, runCli, startCli } from "./support/cli.ts";
import { waitFor } from "./support/processes.ts";
import { queueScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-tls-");
after(() => dir.remove());

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates(): Record<"ca" | "serverCert" | "serverKey" | "clientCert" | "clientKey", string> {
  const p = (name: string) => join(dir.path, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=dctwin test CA",
    "-keyout",
    p("ca.key"),
    "-out",
    p("ca.pem"),
  );
  for (const [name, subject, ext] of [
    ["server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth"],
    ["client", "/CN=dctwin operator", "extendedKeyUsage=clientAuth"],
  ] as const) {
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      subject,
      "-keyout",
      p(`${name}.key`),
      "-out",
      p(`${name}.csr`),
    );
    execFileSync("sh", ["-c", `printf '%b' "$EXT" > ${p(`${name}.ext`)}`], {
      env: { ...process.env, EXT: `${ext}\n` },
    });
    openssl(
      "x509",
      "-req",
      "-in",
      p(`${name}.csr`),
      "-CA",
      p("ca.pem"),
      "-CAkey",
      p("ca.key"),
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      p(`${name}.ext`),
      "-out",
      p(`${name}.pem`),
    );
  }
  return {
    ca: p("ca.pem"),
    serverCert: p("server.pem"),
    serverKey: p("server.key"),
    clientCert: p("client.pem"),
    clientKey: p("client.key"),
  };
}

test("control TLS - plaintext and certificate-less clients are refused; a client with the CA and a certificate steers the run", async () => {
  const certs = makeCertificates();
  const file = writeScenario(
    dir.path,
    "long",
    queueScenario({ rate: 100, meanServiceMs: 1, cores: 1, durationS: 600, warmupS: 0 }),
  );
  const out = join(dir.path, "out");
  const child = startCli([
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
  ]);
  const result = collect(child, 120_000);
  let stderr = "";
  child.stderr!.on("data", (c: string) => (stderr += c));
  try {
    await waitFor(() => /control API listening on (\S+)/.test(stderr), 30_000, "the control API");
    const address = /control API listening on (\S+)/.exec(stderr)![1]!;
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
    const run = await result;
    assert.equal(run.code, 130, run.stderr); // stopped over the API: interrupted, results written
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
