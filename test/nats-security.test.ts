/**
 * NATS security against real nats-servers. A run's private server admits only its coordinator and hosts, each
 * with its role's permissions: a stranger cannot connect, and a stolen host credential (read from the host
 * process's environment, as another process of the same user could) is refused every subject of the coordinator
 * and of the other hosts (reading their window reports aside); forged messages of every kind change nothing, so
 * summary.json stays byte-identical to an undisturbed run, and a window report on its own subject that names
 * another host is dropped and counted by the coordinator and every host. External servers: user and password (an anonymous host is refused, one with credentials runs),
 * TLS with a CA and client certificates made by openssl here, and a token and an nkey seed file.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { connect, nkeyAuthenticator, type NatsConnection, type Status } from "@nats-io/transport-node";
import { nkeys } from "@nats-io/nats-core";
import { NatsServer } from "../coordinator/nats-server.ts";
import { NatsTransport } from "../nodes/runtime/transport/nats.ts";
import { wire } from "../nodes/runtime/wire.ts";
import { collect, runCli, startCli } from "./support/cli.ts";
import { until } from "./support/control-client.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";
import { operatorSetup } from "./support/nats-jwt.ts";

const dir = tempDir();
after(() => dir.remove());

// Traffic crosses hosts on a 3-host placement: clients on host 0, servers on hosts 1 and 2.
const scenario = {
  name: "secure",
  run: { duration: "2s", seed: 11, metrics_interval: "500ms" },
  actors: [
    {
      id: "clients-a",
      kind: "client",
      target: "server-b",
      arrivals: { process: "poisson", rate_per_s: 600 },
      request_bytes: 300,
      response_bytes: 3000,
    },
    {
      id: "clients-b",
      kind: "client",
      target: "server-a",
      arrivals: { process: "poisson", rate_per_s: 500 },
      request_bytes: 300,
      response_bytes: 1500,
    },
    { id: "server-a", kind: "server", cores: 1, service: { distribution: "exponential", mean: "1ms" }, queue_limit: 5 },
    { id: "server-b", kind: "server", cores: 2, service: { distribution: "exponential", mean: "1ms" } },
  ],
  links: [
    { a: "clients-a", b: "server-b", latency: "80us", bandwidth: "1Gbps" },
    { a: "clients-b", b: "server-a", latency: "60us", bandwidth: "1Gbps" },
  ],
};
const file = writeScenario(dir.path, "secure", scenario);

let reference: string | undefined;
async function undisturbedSummary(): Promise<string> {
  if (reference === undefined) {
    const out = join(dir.path, "reference");
    const result = await runCli(["run", file, "--transport", "inproc", "--out", out, "-q"]);
    assert.equal(result.code, 0, result.stderr);
    reference = readFileSync(join(out, "summary.json"), "utf8");
  }
  return reference;
}

/** Collects the server's error notices to one connection (permission violations arrive this way). */
function serverErrors(nc: NatsConnection): string[] {
  const errors: string[] = [];
  void (async () => {
    for await (const s of nc.status() as AsyncIterable<Status>) if (s.type === "error") errors.push(s.error.message);
  })();
  return errors;
}

test("security - a private run's nats-server refuses strangers and wrong roles; forged messages change nothing", async () => {
  const runId = `sec-${process.pid}`;
  const out = join(dir.path, "private");
  const child = startCli(["run", file, "--hosts", "3", "--speed", "0.5", "--run-id", runId, "--out", out]);
  const done = collect(child, 120_000);
  let log = "";
  child.stderr!.on("data", (c: string) => (log += c));
  try {
    await until("the hosts to start", () => /started 3 host process\(es\): pids/.test(log), 60_000);
    const url = /started nats-server (nats:\/\/[\d.:]+)/.exec(log)![1]!;
    const pids = /pids ([\d, ]+)/.exec(log)![1]!.split(", ").map(Number);

    // A stranger cannot even connect, and guessing a role's name does not help.
    await assert.rejects(
      connect({ servers: url, reconnect: false }),
      /Authorization Violation/i,
      "an anonymous client is refused",
    );
    await assert.rejects(
      connect({ servers: url, reconnect: false, user: "coordinator", pass: "guess" }),
      /Authorization Violation/i,
    );

    // Credentials reach the hosts through the environment, never argv.
    for (const pid of pids) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      assert.ok(
        !/SU[A-Z2-7]{20}/.test(argv) && !argv.includes("nkey"),
        `host pid ${pid} has no credential in its arguments`,
      );
    }
    const environ = readFileSync(`/proc/${pids[1]}/environ`, "utf8").split("\0");
    const seedFile = environ
      .find((e) => e.startsWith("DCTWIN_NATS_NKEY_SEED="))!
      .slice("DCTWIN_NATS_NKEY_SEED=".length);
    const seed = readFileSync(seedFile);

    // Host 1's stolen credential: host 1's role only.
    const rogue = await connect({ servers: url, authenticator: nkeyAuthenticator(new Uint8Array(seed)) });
    const errors = serverErrors(rogue);
    try {
      const firstGrant = rogue.subscribe(`dct.${runId}.sync.grant`, { max: 1 }); // hosts may listen to control
      for await (const _ of firstGrant) break;
      const root = `dct.${runId}`;
      const counters = {
        injected: 5,
        consumed: 0,
        dropped: 0,
        queued: 0,
        inFlightLocal: 5,
        sentRemote: 0,
        receivedRemote: 0,
      };
      const report = (host: number) =>
        wire.WindowReport.encode({
          window: 1,
          host,
          startNs: 0,
          endNs: 1e6,
          nextEventNs: 1e6,
          batchesSentTo: [0, 0, 0],
          counters,
        }).finish();
      const forged: [string, Uint8Array][] = [
        [
          `${root}.sync.start`,
          wire.RunStart.encode({ scenarioJson: "{}", hostCount: 3, placement: [0, 0, 0, 0] }).finish(),
        ],
        [`${root}.sync.grant`, wire.Grant.encode({ seq: 2, untilNs: 1e9, stop: true }).finish()],
        [`${root}.sync.stop`, wire.RunStop.encode({ reason: "forged stop" }).finish()],
        [`${root}.report.0.hello`, wire.HostHello.encode({ host: 0, hostname: "evil", pid: 1 }).finish()],
        [`${root}.report.0.window`, report(0)],
        [`${root}.report.0.error`, wire.HostError.encode({ host: 0, message: "forged error" }).finish()],
        [`${root}.host.1.data`, wire.PacketBatch.encode({ window: 1, fromHost: 0, toHost: 1, items: [] }).finish()],
      ];
      for (const [subject, payload] of forged) rogue.publish(subject, payload);
      const spies = [`dct.${runId}.>`, `dct.${runId}.report.0.error`, `dct.${runId}.host.0.data`].map((subject) =>
        rogue.subscribe(subject),
      );
      // Allowed to host 1, but naming host 0: every host (window) and the coordinator (full) drop it as not host 1's.
      rogue.publish(`${root}.report.1.window`, report(0));
      rogue.publish(`${root}.report.1.full`, report(0));
      await rogue.flush();
      await until(
        "the server to refuse every forged message and the spying subscriptions",
        () => errors.length >= forged.length + spies.length,
        10_000,
      );
      for (const [subject] of forged)
        assert.ok(
          errors.some((e) => e.includes(`Publish to "${subject}"`)),
          `publishing to ${subject} is refused: ${errors.join("; ")}`,
        );
      assert.ok(
        errors.some((e) => e.includes(`Subscription to "dct.${runId}.>"`)),
        "listening to the whole run is refused",
      );
      assert.ok(
        errors.some((e) => e.includes(`Subscription to "dct.${runId}.report.0.error"`)),
        "listening to another host's errors is refused",
      );
      assert.ok(
        errors.some((e) => e.includes(`Subscription to "dct.${runId}.host.0.data"`)),
        "listening to another host's batches is refused",
      );
      for (const spy of spies)
        assert.ok((await spy.closed) instanceof Error, "a spying subscription is closed by the server");
      assert.ok(!errors.some((e) => e.includes("report.1.window")), "host 1 may publish its own window report");
    } finally {
      await rogue.close();
    }

    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(out, "summary.json"), "utf8"), await undisturbedSummary(), "the run is unchanged");
    // Only the reports on host 1's own subjects reached the run: dropped by the coordinator and by each of the 3 hosts.
    assert.equal(
      JSON.parse(readFileSync(join(out, "run-info.json"), "utf8")).malformed_messages_dropped,
      4,
      "the report naming another host is dropped everywhere",
    );
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

test("security - an external nats-server with a user and password refuses an anonymous host, runs one with credentials", async () => {
  const server = await NatsServer.start({
    name: `dctwin-test-sec-pw-${process.pid}`,
    config: `authorization: { users: [ { user: "twin", password: "s3cret-pw" } ] }\n`,
  });
  try {
    const anonymous = await runCli(["host", "--nats", server.url, "--run", "r1", "--host", "0"], { timeoutMs: 30_000 });
    assert.equal(anonymous.code, 1, anonymous.stderr);
    assert.match(anonymous.stderr, /cannot connect to NATS at .*Authorization Violation/i);
    assert.doesNotMatch(anonymous.stderr, /\n\s+at /, "no stack trace");

    const out = join(dir.path, "password");
    // The password from the environment (not argv); local hosts inherit the coordinator's credentials that way.
    const run = await runCli(
      ["run", file, "--nats", server.url, "--nats-user", "twin", "--hosts", "3", "--out", out, "-q"],
      { env: { DCTWIN_NATS_PASSWORD: "s3cret-pw" } },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readFileSync(join(out, "summary.json"), "utf8"), await undisturbedSummary());

    const wrong = await runCli(
      [
        "run",
        file,
        "--nats",
        server.url,
        "--nats-user",
        "twin",
        "--hosts",
        "1",
        "--out",
        join(dir.path, "wrong"),
        "-q",
      ],
      { env: { DCTWIN_NATS_PASSWORD: "wrong" } },
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /Authorization Violation/i);
    assert.doesNotMatch(wrong.stderr, /wrong|s3cret/, "no password is echoed");

    const half = await runCli([
      "run",
      file,
      "--nats",
      server.url,
      "--nats-user",
      "twin",
      "--out",
      join(dir.path, "half"),
      "-q",
    ]);
    assert.equal(half.code, 2, "a user without a password is invalid input");
    assert.match(half.stderr, /--nats-user needs --nats-password/);
  } finally {
    await server.stop();
  }
});

test("security - NATS over TLS with a CA and client certificates generated by openssl", async () => {
  const pki = join(dir.path, "pki");
  execFileSync("mkdir", ["-p", pki]);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: pki, stdio: "pipe" });
  ssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=dctwin test CA",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  );
  for (const [name, ext] of [
    ["server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth"],
    ["client", "extendedKeyUsage=clientAuth"],
  ] as const) {
    writeFileSync(join(pki, `${name}.ext`), `${ext}\n`);
    ssl(
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-subj",
      `/CN=dctwin test ${name}`,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
    );
    ssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.pem`,
    );
  }
  const p = (f: string) => join(pki, f);
  const server = await NatsServer.start({
    name: `dctwin-test-sec-tls-${process.pid}`,
    config: `tls: ${JSON.stringify({ cert_file: p("server.pem"), key_file: p("server.key"), ca_file: p("ca.pem"), verify: true, timeout: 5 })}\n`,
  });
  try {
    const url = server.url.replace("nats://", "tls://");
    const tlsFlags = ["--nats-ca", p("ca.pem"), "--nats-cert", p("client.pem"), "--nats-key", p("client.key")];
    const out = join(dir.path, "tls");
    const run = await runCli(["run", file, "--nats", url, ...tlsFlags, "--hosts", "2", "--out", out, "-q"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readFileSync(join(out, "summary.json"), "utf8"), await undisturbedSummary());

    const noCa = await runCli(["host", "--nats", url, "--run", "r1", "--host", "0"], { timeoutMs: 30_000 });
    assert.equal(noCa.code, 1, "a client that does not trust the test CA refuses the server");
    assert.match(noCa.stderr, /cannot connect to NATS/);
    // Refused in the TLS handshake, a client without a certificate may only see its connection time out (TLS 1.3
    // verifies the client after the client's side of the handshake is done), which is worth retrying: retry briefly.
    const noCert = await runCli(
      ["host", "--nats", url, "--nats-ca", p("ca.pem"), "--run", "r1", "--host", "0", "--connect-timeout", "1s"],
      { timeoutMs: 30_000 },
    );
    assert.equal(noCert.code, 1, "the server refuses a client without a certificate");
    const keyOnly = await runCli(["host", "--nats", url, "--nats-key", p("client.key"), "--run", "r1", "--host", "0"], {
      timeoutMs: 30_000,
    });
    assert.equal(keyOnly.code, 2);
    assert.match(keyOnly.stderr, /--nats-cert and --nats-key go together/);
  } finally {
    await server.stop();
  }
});

test("security - a token and an nkey seed file log in to external servers; wrong ones are refused", async () => {
  const key = nkeys.createUser();
  const seedFile = join(dir.path, "user.nk");
  writeFileSync(seedFile, key.getSeed(), { mode: 0o600 });
  const otherSeed = join(dir.path, "other.nk");
  writeFileSync(otherSeed, nkeys.createUser().getSeed(), { mode: 0o600 });
  const tokenServer = await NatsServer.start({
    name: `dctwin-test-sec-token-${process.pid}`,
    config: `authorization: { token: "t0ken-value" }\n`,
  });
  const nkeyServer = await NatsServer.start({
    name: `dctwin-test-sec-nkey-${process.pid}`,
    config: `authorization: { users: [ { nkey: "${key.getPublicKey()}" } ] }\n`,
  });
  try {
    const opts = { reconnect: false };
    await (await NatsTransport.connect(tokenServer.url, opts, { token: "t0ken-value" })).close();
    await assert.rejects(
      NatsTransport.connect(tokenServer.url, opts, { token: "wrong" }),
      /cannot connect to NATS .*Authorization Violation/i,
    );
    await assert.rejects(NatsTransport.connect(tokenServer.url, opts), /Authorization Violation/i);
    await (await NatsTransport.connect(nkeyServer.url, opts, { nkeySeedFile: seedFile })).close();
    await assert.rejects(
      NatsTransport.connect(nkeyServer.url, opts, { nkeySeedFile: otherSeed }),
      /Authorization Violation/i,
    );
  } finally {
    await tokenServer.stop();
    await nkeyServer.stop();
  }
});

test("security - a creds file (user JWT signed by an account of an operator-mode nats-server) runs 2 hosts; another operator's is refused", async () => {
  const setup = operatorSetup();
  const creds = join(dir.path, "user.creds");
  writeFileSync(creds, setup.userCreds("dctwin-user"), { mode: 0o600 });
  const stranger = join(dir.path, "stranger.creds");
  writeFileSync(stranger, operatorSetup().userCreds("stranger"), { mode: 0o600 });
  const server = await NatsServer.start({ name: `dctwin-test-sec-creds-${process.pid}`, config: setup.serverConfig });
  try {
    const out = join(dir.path, "creds");
    const result = await runCli([
      "run",
      file,
      "--nats",
      server.url,
      "--nats-creds",
      creds,
      "--transport",
      "nats",
      "--hosts",
      "2",
      "--out",
      out,
      "-q",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(out, "summary.json"), "utf8"), await undisturbedSummary());
    const refused = await runCli([
      "run",
      file,
      "--nats",
      server.url,
      "--nats-creds",
      stranger,
      "--connect-timeout",
      "1s",
      "--transport",
      "nats",
      "--out",
      join(dir.path, "stranger"),
      "-q",
    ]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Authorization Violation/i);
  } finally {
    await server.stop();
  }
});
