/**
 * What the Kubernetes manifests promise, exercised on this machine as far as it goes without a cluster:
 * - the rendered NATS configuration forms a real 3-node cluster (nats-server processes, only names and ports
 *   rewritten to loopback), and a twin whose coordinator and two hosts sit on different nodes of it runs to the same
 *   summary.json as in one process (so its messages cross the routes);
 * - the coordinator's gRPC probes, asked as the kubelet asks them (grpc.health.v1.Health/Check with the probe's
 *   service), answer SERVING from the coordinator configured by the manifest's variables; a host's HTTP probe path
 *   answers before any run starts;
 * - the NetworkPolicies select what they claim: their pod selectors and ports match the pods and container ports.
 * Not exercised (needs a cluster): NetworkPolicy enforcement (a CNI such as Calico or Cilium; podman kube play
 * ignores NetworkPolicy), kubelet probe timing and restarts, DNS names of the headless Service.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import { NatsServer } from "../coordinator/nats-server.ts";
import { REPO_ROOT, runCli, startCli, collect } from "./support/cli.ts";
import { kustomize, loopbackNatsConfig, type K8sObject } from "./support/kubernetes.ts";
import { freePort } from "./support/ports.ts";
import { waitFor } from "./support/processes.ts";
import { queueScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-k8s-behaviour-");
after(() => dir.remove());
const objects = kustomize(join(REPO_ROOT, "deploy/kubernetes/base"));
const shortRun = writeScenario(
  dir.path,
  "short",
  queueScenario({ rate: 200, meanServiceMs: 1, cores: 1, durationS: 2, warmupS: 0 }),
);

type Container = {
  name: string;
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  [probe: string]: any;
};
type PodTemplate = { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };

function find(kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name.startsWith(name));
  assert.ok(o, `${kind} ${name} is rendered`);
  return o;
}
const template = (kind: string, name: string) => (find(kind, name).spec as { template: PodTemplate }).template;
const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.value;
const portOf = (c: Container, name: string) => c.ports?.find((p) => p.name === name)?.containerPort;

async function monitorJson(port: number, path: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as Record<string, unknown>;
}

test("kubernetes in place - the rendered NATS config forms a 3-node cluster; a twin spread over its nodes gives the one-process summary", async () => {
  const conf = Object.values(find("ConfigMap", "nats-config").data!)[0]!;
  const ports = await Promise.all(
    [0, 1, 2].map(async () => ({ client: await freePort(), route: await freePort(), monitor: await freePort() })),
  );
  const servers: NatsServer[] = [];
  const runId = `routes-${process.pid}`;
  try {
    for (const [i, p] of ports.entries()) {
      const text = loopbackNatsConfig(conf, i, ports);
      servers.push(
        await NatsServer.start({
          name: `dctwin-test-nats-${i}-${process.pid}`,
          config: text,
          args: ["-p", String(p.client), "-m", String(p.monitor)],
        }),
      );
    }
    const routes = async () =>
      Promise.all(ports.map(async (p) => (await monitorJson(p.monitor, "/routez")).num_routes as number));
    let seen: number[] = [];
    const deadline = Date.now() + 30_000;
    while (!(seen = await routes()).every((n) => n === 2) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(seen, [2, 2, 2], "every node routes to the two others");
    assert.equal((await monitorJson(ports[0]!.monitor, "/varz")).cluster !== undefined, true);

    // Coordinator on node 0, host 0 on node 1, host 1 on node 2: every window crosses the routes.
    const hosts = [1, 2].map((node, index) => {
      const child = startCli(["host", "--nats", servers[node]!.url, "--run", runId], {
        JOB_COMPLETION_INDEX: String(index),
      });
      return { child, result: collect(child, 180_000) };
    });
    try {
      const out = join(dir.path, "routed");
      const run = await runCli(
        [
          "run",
          shortRun,
          "--nats",
          servers[0]!.url,
          "--join",
          "--hosts",
          "2",
          "--run-id",
          runId,
          "--join-timeout",
          "2m",
          "--out",
          out,
          "-q",
        ],
        { timeoutMs: 180_000 },
      );
      assert.equal(run.code, 0, run.stderr);
      for (const h of hosts) assert.equal((await h.result).code, 0);
      const local = await runCli(["run", shortRun, "--transport", "inproc", "-q", "--out", join(dir.path, "inproc")]);
      assert.equal(local.code, 0, local.stderr);
      assert.equal(
        readFileSync(join(out, "summary.json"), "utf8"),
        readFileSync(join(dir.path, "inproc", "summary.json"), "utf8"),
      );
    } finally {
      for (const h of hosts) if (h.child.exitCode === null) h.child.kill("SIGKILL");
    }
  } finally {
    for (const s of servers) await s.stop();
  }
});

test("kubernetes in place - the coordinator's gRPC probes, asked as the kubelet asks, answer SERVING on the port its variables set", async () => {
  const coordinator = template("Job", "dctwin-coordinator").spec.containers[0]!;
  const probes = ["startupProbe", "readinessProbe", "livenessProbe"].map(
    (k) => coordinator[k] as { grpc?: { port: number; service?: string } },
  );
  for (const probe of probes) {
    assert.ok(probe.grpc, "a gRPC probe");
    assert.equal(
      String(probe.grpc.port),
      envOf(coordinator, "DCTWIN_CONTROL_PORT"),
      "the probe asks the port the control API listens on",
    );
    assert.equal(probe.grpc.port, portOf(coordinator, "control"));
  }
  assert.equal(
    envOf(coordinator, "DCTWIN_CONTROL_HOST"),
    "0.0.0.0",
    "the kubelet reaches the pod's IP, not its loopback",
  );
  // The coordinator as the manifest configures it (DCTWIN_* variables), on a free loopback port instead of 7700.
  const port = await freePort();
  const child = startCli(["run", shortRun, "--transport", "inproc", "--wait-for-start", "-q"], {
    DCTWIN_CONTROL_PORT: String(port),
    DCTWIN_CONTROL_HOST: "127.0.0.1",
    DCTWIN_CONTROL_TOKEN: "probe-token",
    DCTWIN_OUT: join(dir.path, "probed"),
  });
  const done = collect(child, 300_000);
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  try {
    // Generous: on a loaded 2-core machine loading the CLI and gRPC can take a minute.
    await waitFor(() => /control API listening/.test(stderr), 240_000, "the control API");
    for (const probe of probes) {
      const health = await runCli([
        "control",
        "health",
        "--control",
        `127.0.0.1:${port}`,
        "--service",
        probe.grpc!.service ?? "",
      ]);
      assert.equal(health.stdout.trim(), "SERVING", `${probe.grpc!.service ?? "(server)"}: ${health.stderr}`);
    }
    const unknown = await runCli([
      "control",
      "health",
      "--control",
      `127.0.0.1:${port}`,
      "--service",
      "no.such.Service",
    ]);
    assert.equal(unknown.code, 1, "a probe for another service would fail: the answers are not unconditional");
    const start = await runCli(["control", "start", "--control", `127.0.0.1:${port}`, "--token", "probe-token"]);
    assert.equal(start.code, 0, start.stderr);
    assert.equal((await done).code, 0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

test("kubernetes in place - a host started as its pod starts it answers its HTTP probe path on its metrics port before any run starts", async () => {
  const host = template("Job", "dctwin-hosts").spec.containers[0]!;
  for (const k of ["startupProbe", "livenessProbe"]) {
    assert.equal(host[k].httpGet.port, "metrics");
    assert.equal(String(portOf(host, "metrics")), envOf(host, "DCTWIN_METRICS_PORT"));
  }
  const server = await NatsServer.start({ name: `dctwin-test-probe-${process.pid}` });
  const port = await freePort();
  // As the pod starts it: the manifest's command (the image's /opt/dctwin is this repository) and arguments.
  const [node, entry] = host.command as string[];
  assert.equal(node, "node");
  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, relative("/opt/dctwin", entry!)),
      ...host.args,
      "--nats",
      server.url,
      "--run",
      `probe-${process.pid}`,
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, JOB_COMPLETION_INDEX: "0", DCTWIN_METRICS_PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const done = collect(child, 60_000);
  try {
    let status = 0;
    const deadline = Date.now() + 60_000;
    while (status !== 200 && Date.now() < deadline) {
      status = await fetch(`http://127.0.0.1:${port}${host.startupProbe.httpGet.path}`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(status, 200);
  } finally {
    child.kill("SIGTERM");
    await done;
    await server.stop();
  }
});

test("kubernetes in place - the NetworkPolicies select the twin's pods and the ports those pods open", () => {
  const matches = (selector: { matchLabels?: Record<string, string> }, labels: Record<string, string>) =>
    Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const natsPod = template("StatefulSet", "nats");
  const coordinatorPod = template("Job", "dctwin-coordinator");
  const hostPod = template("Job", "dctwin-hosts");
  const stranger = { "app.kubernetes.io/name": "something-else" };
  type Rule = {
    from: { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown }[];
    ports: { port: number }[];
  };
  const policy = (name: string) =>
    find("NetworkPolicy", name).spec as {
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      ingress: Rule[];
    };
  const admits = (rules: Rule[], labels: Record<string, string>, port: number) =>
    rules.some(
      (r) =>
        r.ports.some((p) => p.port === port) &&
        r.from.some((f) => f.podSelector !== undefined && matches(f.podSelector, labels)),
    );

  const nats = policy("nats");
  assert.ok(
    matches(nats.podSelector, natsPod.metadata.labels) && !matches(nats.podSelector, coordinatorPod.metadata.labels),
  );
  assert.deepEqual(nats.policyTypes, ["Ingress"]);
  const natsPorts = natsPod.spec.containers[0]!;
  for (const pod of [coordinatorPod, hostPod])
    assert.ok(
      admits(nats.ingress, pod.metadata.labels, portOf(natsPorts, "client")!),
      "the twin's pods reach NATS clients' port",
    );
  assert.ok(!admits(nats.ingress, stranger, portOf(natsPorts, "client")!), "other pods do not");
  assert.ok(
    admits(nats.ingress, natsPod.metadata.labels, portOf(natsPorts, "cluster")!),
    "NATS nodes reach each other's routes",
  );
  assert.ok(
    !admits(nats.ingress, coordinatorPod.metadata.labels, portOf(natsPorts, "cluster")!),
    "the twin does not reach the routes",
  );

  const twin = policy("dctwin");
  for (const pod of [coordinatorPod, hostPod]) assert.ok(matches(twin.podSelector, pod.metadata.labels));
  const control = portOf(coordinatorPod.spec.containers[0]!, "control")!;
  assert.ok(
    admits(twin.ingress, hostPod.metadata.labels, control) && !admits(twin.ingress, stranger, control),
    "only the twin's pods reach the control port",
  );
  assert.ok(admits(twin.ingress, coordinatorPod.metadata.labels, portOf(hostPod.spec.containers[0]!, "metrics")!));
});
