/**
 * The container image, built for real with podman (runc, host network) on a Debian-built stand-in for
 * node:24-bookworm-slim: it runs `dctwin run`, `dctwin host` and the control API as a non-root user; and the
 * pods that `dctwin deploy` renders (NATS, coordinator, 2 hosts) run under `podman kube play` to a summary.json
 * byte-identical to `dctwin run FILE --hosts 2` on this machine. Skipped only when podman is absent.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { stringify } from "yaml";
import { REPO_ROOT, runCli } from "./support/cli.ts";
import { kustomize, loopbackNatsConfig, type K8sObject, type NatsNodePorts } from "./support/kubernetes.ts";
import { buildDctwinImage, ensureNatsImage, podman, podmanAvailable } from "./support/podman.ts";
import { freePort } from "./support/ports.ts";
import { tempDir } from "./support/scenarios.ts";

const skip = podmanAvailable() ? false : "podman is not installed: the container image is not built or run";
const IMAGE = "localhost/dctwin:test";
const dir = tempDir("dctwin-container-");
after(() => dir.remove());

before(() => {
  if (skip === false) buildDctwinImage(IMAGE);
});

/** A directory the image's user (10001) can write to. */
function writableDir(name: string): string {
  const path = join(dir.path, name);
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o777);
  return path;
}

const RUN = ["run", "--rm", "--network", "host", "--ulimit", "host", "--read-only", "--tmpfs", "/tmp"];

test("container - non-root, OCI labels, --version; `dctwin run` writes results identical to the same run outside", {
  skip,
}, async () => {
  const inspect = JSON.parse(podman(["image", "inspect", IMAGE]))[0] as {
    Config: { User: string; Labels: Record<string, string>; Entrypoint: string[] };
  };
  assert.equal(inspect.Config.User, "10001:10001");
  assert.equal(inspect.Config.Labels["org.opencontainers.image.title"], "dctwin");
  assert.equal(
    inspect.Config.Labels["org.opencontainers.image.version"],
    JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version,
  );
  assert.equal(podman([...RUN, IMAGE, "--version"]).trim(), inspect.Config.Labels["org.opencontainers.image.version"]);
  // Production dependencies only: no TypeScript compiler in the image.
  assert.throws(() => podman([...RUN, "--entrypoint", "ls", IMAGE, "/opt/dctwin/node_modules/typescript"]));

  const work = writableDir("run");
  podman([...RUN, "-v", `${work}:/work`, IMAGE, "run", "/opt/dctwin/examples/tiny.yaml", "--duration", "3s", "-q"]);
  const outside = join(dir.path, "run-outside");
  const local = await runCli([
    "run",
    "examples/tiny.yaml",
    "--duration",
    "3s",
    "--transport",
    "inproc",
    "-q",
    "--out",
    outside,
  ]);
  assert.equal(local.code, 0, local.stderr);
  assert.equal(
    readFileSync(join(work, "results/summary.json"), "utf8"),
    readFileSync(join(outside, "summary.json"), "utf8"),
  );
});

function tokenOf(deployDir: string): string {
  return /^token=(.*)$/m.exec(readFileSync(join(deployDir, "control-token.env"), "utf8"))![1]!;
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The pods of a rendered run, made runnable by podman kube play on one machine's host network. */
function playablePods(
  objects: K8sObject[],
  ports: { nats: NatsNodePorts[]; control: number; metrics: number },
  natsImage: string,
  results: string,
): unknown[] {
  const byName = (kind: string, prefix: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name.startsWith(prefix))!;
  const runConfig = byName("ConfigMap", "dctwin-run");
  const scenario = byName("ConfigMap", "dctwin-scenario");
  const token = Buffer.from(
    (byName("Secret", "dctwin-control").data as Record<string, string>).token!,
    "base64",
  ).toString();
  const template = (kind: string, name: string) =>
    structuredClone((byName(kind, name).spec as { template: { spec: any } }).template.spec);
  const env = (extra: Record<string, string>) =>
    Object.entries({ ...runConfig.data!, ...extra }).map(([name, value]) => ({ name, value }));
  // podman kube play runs no probes, Jobs, Secrets or Services: the pod templates become Pods, the Secret an env value.
  const strip = (c: any) => {
    delete c.startupProbe;
    delete c.readinessProbe;
    delete c.livenessProbe;
    delete c.envFrom;
    delete c.ports; // host networking: the processes bind their ports themselves
    return c;
  };
  const pod = (name: string, spec: any) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { ...spec, hostNetwork: true, restartPolicy: "Never" },
  });

  // The 3-node NATS cluster: the StatefulSet's pods with its image, arguments and config volume, each reading the
  // rendered config with names and ports made loopback ones (one ConfigMap per node: they share one network).
  const natsConfig = byName("ConfigMap", "nats-config");
  const [confKey, conf] = Object.entries(natsConfig.data!)[0]!;
  const natsNodes = ports.nats.flatMap((node, i) => {
    const spec = template("StatefulSet", "nats");
    const c = strip(spec.containers[0]);
    c.image = natsImage;
    // What the StatefulSet's $(POD_NAME) gives, plus this node's client and monitoring ports (they win over the file).
    c.args = [
      ...c.args.map((a: string) => a.replace("$(POD_NAME)", `nats-${i}`)),
      "-a",
      "127.0.0.1",
      "-p",
      String(node.client),
      "-m",
      String(node.monitor),
    ];
    delete c.env;
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${natsConfig.metadata.name}-${i}` },
      data: { [confKey]: loopbackNatsConfig(conf, i, ports.nats) },
    };
    spec.volumes = spec.volumes.map((v: { name: string; configMap?: { name: string } }) =>
      v.configMap ? { ...v, configMap: { name: configMap.metadata.name } } : v,
    );
    return [configMap, pod(`nats-${i}`, spec)];
  });
  const natsUrl = (i: number) => `nats://127.0.0.1:${ports.nats[i]!.client}`;

  const coordinator = template("Job", "dctwin-coordinator");
  const c = strip(coordinator.containers[0]);
  c.env = env({
    DCTWIN_NATS: natsUrl(0),
    DCTWIN_CONTROL_PORT: String(ports.control),
    DCTWIN_CONTROL_HOST: "127.0.0.1",
    DCTWIN_METRICS_PORT: String(ports.metrics),
    DCTWIN_METRICS_HOST: "127.0.0.1",
    DCTWIN_OUT: "/work/results",
    DCTWIN_COPY_RESULTS_TO: "/results",
    DCTWIN_CONTROL_TOKEN: token,
    DCTWIN_QUIET: "1",
    DCTWIN_WAIT_FOR_START: "1",
  });
  coordinator.volumes = coordinator.volumes.map((v: { name: string }) =>
    v.name === "results" ? { name: "results", hostPath: { path: results, type: "Directory" } } : v,
  );

  const hosts = [0, 1].map((index) => {
    const spec = template("Job", "dctwin-hosts");
    // What Kubernetes sets in an Indexed Job's pods; the metrics port is free-picked (hosts share the host network).
    // Host 0 on NATS node 1, host 1 on node 2, the coordinator on node 0: every message crosses the cluster's routes.
    strip(spec.containers[0]).env = env({
      DCTWIN_NATS: natsUrl(index + 1),
      JOB_COMPLETION_INDEX: String(index),
      DCTWIN_METRICS_PORT: "0",
      DCTWIN_METRICS_HOST: "127.0.0.1",
    });
    return pod(`dctwin-host-${index}`, spec);
  });
  return [scenario, ...natsNodes, pod("dctwin-coordinator", coordinator), ...hosts];
}

test("container - podman kube play runs the rendered pods (3-node NATS cluster, coordinator with its control API, 2 hosts on other NATS nodes); summary.json equals `dctwin run --hosts 2`", {
  skip,
}, async () => {
  const runId = `kube-${process.pid}`;
  const nats: NatsNodePorts[] = [];
  for (let i = 0; i < 3; i++)
    nats.push({ client: await freePort(), route: await freePort(), monitor: await freePort() });
  const ports = { nats, control: await freePort(), metrics: await freePort() };
  const out = join(dir.path, "deploy");
  // The quick-start scenario, shortened (a paced-free 20 s run over NATS takes minutes on a loaded 2-core machine).
  const scenario = join(dir.path, "tiny-3s.yaml");
  writeFileSync(
    scenario,
    readFileSync(join(REPO_ROOT, "examples/tiny.yaml"), "utf8").replace(/^ {2}duration: 20s$/m, "  duration: 3s"),
  );
  const rendered = await runCli([
    "deploy",
    scenario,
    "--hosts",
    "2",
    "--image",
    IMAGE,
    "--run-id",
    runId,
    "--namespace",
    "dctwin-test",
    "--nats",
    `nats://127.0.0.1:${nats[0]!.client}`,
    "--out",
    out,
  ]);
  assert.equal(rendered.code, 0, rendered.stderr);
  const results = writableDir("kube-results");
  const playFile = join(dir.path, "play.yaml");
  writeFileSync(
    playFile,
    playablePods(kustomize(out), ports, ensureNatsImage(), results)
      .map((o) => stringify(o))
      .join("---\n"),
  );
  try {
    podman(["kube", "play", "--network", "host", playFile]);
    // The NATS pods form their cluster: each node routes to the two others.
    await waitUntil(
      async () => {
        const routes = await Promise.all(
          nats.map((n) =>
            fetch(`http://127.0.0.1:${n.monitor}/routez`).then(
              async (r) => ((await r.json()) as { num_routes: number }).num_routes,
              () => -1,
            ),
          ),
        );
        return routes.every((n) => n === 2);
      },
      60_000,
      "the 3 NATS pods to route to each other",
    );
    // The control API in the container: healthy while the run waits for StartRun, which the token starts.
    const control = ["--control", `127.0.0.1:${ports.control}`];
    await waitUntil(
      async () => (await runCli(["control", "health", ...control])).stdout.trim() === "SERVING",
      120_000,
      "the control API to serve",
    );
    const start = await runCli(["control", "start", ...control, "--token", tokenOf(out)]);
    assert.equal(start.code, 0, start.stderr);
    const code = podman(["wait", "dctwin-coordinator-coordinator"], { timeoutMs: 240_000 }).trim();
    assert.equal(code, "0", podman(["logs", "dctwin-coordinator-coordinator"]));
    for (const host of [0, 1])
      assert.equal(podman(["wait", `dctwin-host-${host}-host`], { timeoutMs: 60_000 }).trim(), "0");
    const local = await runCli(["run", scenario, "--hosts", "2", "-q", "--out", join(dir.path, "kube-local")]);
    assert.equal(local.code, 0, local.stderr);
    assert.equal(
      readFileSync(join(results, runId, "summary.json"), "utf8"),
      readFileSync(join(dir.path, "kube-local", "summary.json"), "utf8"),
    );
  } finally {
    try {
      podman(["kube", "down", playFile]);
    } catch {
      // nothing was started
    }
  }
});
