/**
 * deploy/kubernetes: every overlay and a `dctwin deploy` output render with kubectl kustomize, every object
 * validates against the Kubernetes OpenAPI schemas, and the manifests keep their promises (3-node NATS with
 * routes behind a headless Service, Indexed Job of hosts sized by --hosts, locked-down pods with limits and
 * probes, a NetworkPolicy, the PodMonitor's release label).
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import { REPO_ROOT, runCli } from "./support/cli.ts";
import { kustomize, validateObject, validateStrict, type K8sObject } from "./support/kubernetes.ts";
import { tempDir } from "./support/scenarios.ts";
import { largestShard, podMemory, SIZING } from "../cli/commands/deploy-sizing.ts";
import { placeActors } from "../coordinator/placement/place.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";

const dir = tempDir("dctwin-k8s-");
after(() => dir.remove());
const KUBE = join(REPO_ROOT, "deploy/kubernetes");

type PodSpec = { securityContext?: Record<string, unknown>; containers: Record<string, any>[] };

function podSpec(o: K8sObject): PodSpec | undefined {
  const spec = o.spec as { template?: { spec: PodSpec } } | undefined;
  return spec?.template?.spec;
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} is rendered`);
  return o;
}

async function checkRendered(objects: K8sObject[], namespace: string): Promise<void> {
  for (const o of objects) await validateObject(o);
  validateStrict(objects);
  for (const o of objects)
    if (o.kind !== "Namespace") assert.equal(o.metadata.namespace, namespace, `${o.kind} ${o.metadata.name} namespace`);
  // Every workload: non-root, read-only root filesystem, no capabilities, requests and a memory limit, probes.
  for (const o of objects) {
    const pod = podSpec(o);
    if (pod === undefined) continue;
    assert.equal(pod.securityContext?.runAsNonRoot, true, `${o.metadata.name}: runAsNonRoot`);
    for (const c of pod.containers) {
      assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${o.metadata.name}/${c.name}: read-only root`);
      assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.ok(
        c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory,
        `${o.metadata.name}/${c.name}: requests and limits`,
      );
      assert.ok(c.livenessProbe && (c.readinessProbe || c.startupProbe), `${o.metadata.name}/${c.name}: probes`);
    }
  }
  const nats = find(objects, "StatefulSet", "nats");
  assert.equal((nats.spec as { replicas: number }).replicas, 3);
  assert.equal((find(objects, "Service", "nats").spec as { clusterIP: string }).clusterIP, "None");
  const conf = Object.values(
    objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("nats-config"))!.data!,
  )[0]!;
  for (const i of [0, 1, 2]) assert.match(conf, new RegExp(`nats://nats-${i}\\.nats:6222`));
  // The coordinator's probes ask the gRPC health service of the control API.
  const coordinator = podSpec(find(objects, "Job", "dctwin-coordinator"))!.containers[0]!;
  assert.equal(coordinator.livenessProbe.grpc.port, 7700);
  assert.equal(coordinator.readinessProbe.grpc.service, "dctwin.v1.Control");
  assert.ok(
    coordinator.env.some(
      (e: { name: string; valueFrom?: { secretKeyRef?: unknown } }) =>
        e.name === "DCTWIN_CONTROL_TOKEN" && e.valueFrom?.secretKeyRef,
    ),
  );
  assert.equal((find(objects, "Job", "dctwin-hosts").spec as { completionMode: string }).completionMode, "Indexed");
  assert.ok(objects.some((o) => o.kind === "NetworkPolicy" && o.metadata.name === "nats"));
  assert.ok(
    objects.some((o) => o.kind === "Secret" && o.metadata.name.startsWith("dctwin-control")),
    "the control token Secret",
  );
}

test("kubernetes - the base's demo scenario is examples/tiny.yaml (no drifting copy)", () => {
  assert.equal(
    readFileSync(join(KUBE, "base/scenario.yaml"), "utf8"),
    readFileSync(join(REPO_ROOT, "examples/tiny.yaml"), "utf8"),
  );
});

test("kubernetes - a misspelt field in an overlay is rejected, naming the object and the field", async () => {
  // An operator's overlay over the base with typos at three depths: a Job spec, a container, a PodMonitor endpoint.
  const overlay = join(dir.path, "typo");
  mkdirSync(overlay, { recursive: true });
  const patch = (kind: string, name: string, path: string, value: unknown) => ({
    target: { kind, name },
    patch: JSON.stringify([{ op: "add", path, value }]),
  });
  writeFileSync(
    join(overlay, "kustomization.yaml"),
    JSON.stringify({
      resources: [relative(overlay, join(KUBE, "base"))], // kustomize takes relative paths only
      secretGenerator: [{ name: "dctwin-control", literals: ["token=t"] }],
      patches: [
        patch("Job", "dctwin-hosts", "/spec/completionsMode", "Indexed"),
        patch("Job", "dctwin-coordinator", "/spec/template/spec/containers/0/imagePullPolicyy", "Always"),
        patch("PodMonitor", "dctwin", "/spec/podMetricsEndpoints/0/intervall", "5s"),
      ],
    }),
  );
  const objects = kustomize(overlay);
  // The OpenAPI schemas alone let unknown fields through (as the API server's default does) ...
  for (const o of objects) await validateObject(o);
  // ... the strict check does not.
  assert.throws(
    () => validateStrict(objects),
    (error: Error) => {
      assert.match(error.message, /Job dctwin-hosts: "completionsMode".*does not exist in type 'IJobSpec'/);
      assert.match(error.message, /Job dctwin-coordinator: "imagePullPolicyy".*does not exist in type 'IContainer'/);
      assert.match(error.message, /PodMonitor dctwin: "intervall".*does not exist in type 'IPodMetricsEndpoint'/);
      return true;
    },
  );
});

test("kubernetes - the dev overlay renders and every object validates", async () => {
  await checkRendered(kustomize(join(KUBE, "overlays/dev")), "dctwin-dev");
});

test("kubernetes - the production overlay renders, validates, uses its release label and keeps results on a PVC", async () => {
  const objects = kustomize(join(KUBE, "overlays/production"));
  // Production creates the token Secret out of band; add it as an operator would for the checks.
  objects.push({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "dctwin-control", namespace: "dctwin" },
    stringData: { token: "t" },
  });
  await checkRendered(objects, "dctwin");
  assert.equal(find(objects, "PodMonitor", "dctwin").metadata.labels?.release, "prometheus");
  const volumes = (
    podSpec(find(objects, "Job", "dctwin-coordinator")) as unknown as {
      volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
    }
  ).volumes;
  assert.equal(volumes.find((v) => v.name === "results")?.persistentVolumeClaim?.claimName, "dctwin-results");
});

test("kubernetes - dctwin deploy renders a run: its scenario, host count, run id, image and namespace; the output validates", async () => {
  const out = join(dir.path, "run");
  const result = await runCli([
    "deploy",
    "examples/fat-tree-k4.yaml",
    "--hosts",
    "4",
    "--namespace",
    "twin-a",
    "--image",
    "registry.example.com/dctwin:1.2.3",
    "--run-id",
    "ft4",
    "--prometheus-release",
    "kps",
    "--out",
    out,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(statSync(join(out, "control-token.env")).mode & 0o777, 0o600);
  const objects = kustomize(out);
  await checkRendered(objects, "twin-a");
  const hosts = find(objects, "Job", "dctwin-hosts").spec as { completions: number; parallelism: number };
  assert.deepEqual([hosts.completions, hosts.parallelism], [4, 4]);
  const run = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("dctwin-run"))!.data!;
  assert.equal(run.DCTWIN_HOSTS, "4");
  assert.equal(run.DCTWIN_RUN_ID, "ft4");
  const scenario = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("dctwin-scenario"))!.data!;
  assert.equal(scenario["scenario.yaml"], readFileSync(join(REPO_ROOT, "examples/fat-tree-k4.yaml"), "utf8"));
  assert.equal(
    podSpec(find(objects, "Job", "dctwin-coordinator"))!.containers[0]!.image,
    "registry.example.com/dctwin:1.2.3",
  );
  assert.equal(find(objects, "PodMonitor", "dctwin").metadata.labels?.release, "kps");

  const invalid = await runCli([
    "deploy",
    "examples/tiny.yaml",
    "--hosts",
    "2",
    "--namespace",
    "Bad_NS",
    "--out",
    join(dir.path, "bad"),
  ]);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /--namespace must be a DNS label/);
});

type Resources = { requests: { memory: string }; limits: { memory: string } };
const resourcesOf = (objects: K8sObject[], job: string): Resources =>
  podSpec(find(objects, "Job", job))!.containers[0]!.resources;

test("kubernetes - dctwin deploy sizes memory from the benchmark's figures per actor: the largest shard for hosts, all actors for the coordinator", async () => {
  const out = join(dir.path, "sized");
  const result = await runCli([
    "deploy",
    "examples/leaf-spine-4k.yaml",
    "--hosts",
    "2",
    "--run-id",
    "ls4k",
    "--out",
    out,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const { scenario } = loadScenarioFile(join(REPO_ROOT, "examples/leaf-spine-4k.yaml"));
  const shard = largestShard(placeActors(scenario, 2), 2);
  assert.ok(
    shard >= scenario.actors.length / 2 && shard < scenario.actors.length,
    `shard ${shard} of ${scenario.actors.length}`,
  );
  // The closed form with the documented figures: 167 MiB + 34 KiB per actor; limit 2 × (167 MiB + 205 KiB per actor).
  const mi = (kib: number) => `${Math.ceil(kib / 1024)}Mi`;
  const objects = kustomize(out);
  assert.deepEqual(resourcesOf(objects, "dctwin-hosts").requests.memory, mi(167 * 1024 + 34 * shard));
  assert.deepEqual(resourcesOf(objects, "dctwin-hosts").limits.memory, mi(2 * (167 * 1024 + 205 * shard)));
  assert.deepEqual(
    resourcesOf(objects, "dctwin-coordinator").requests.memory,
    mi(167 * 1024 + 34 * scenario.actors.length),
  );
  assert.deepEqual(
    resourcesOf(objects, "dctwin-coordinator").limits.memory,
    mi(2 * (167 * 1024 + 205 * scenario.actors.length)),
  );
  assert.match(result.stdout, new RegExp(`each host ${mi(167 * 1024 + 34 * shard)} .* for up to ${shard} actors`));
});

test("kubernetes - the sizing figures are the ones docs/performance.md documents, and the base is sized by them for its scenario", () => {
  const doc = readFileSync(join(REPO_ROOT, "docs/performance.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Sizing pods"));
  assert.match(section, new RegExp(`baseline .*\\| ${SIZING.baselineBytes / 2 ** 20} MiB peak RSS`));
  assert.match(section, new RegExp(`retained heap per actor \\| ${SIZING.retainedPerActorBytes / 1024} KiB`));
  assert.match(section, new RegExp(`peak RSS per actor \\| ${SIZING.peakRssPerActorBytes / 1024} KiB`));
  assert.match(section, new RegExp(`limited to ${SIZING.limitFactor} ×`));
  // The base runs examples/tiny.yaml (2 actors) on 2 hosts.
  const objects = kustomize(join(KUBE, "base"));
  const tiny = loadScenarioFile(join(REPO_ROOT, "examples/tiny.yaml")).scenario;
  const expected = (m: ReturnType<typeof podMemory>) => ({ requests: m.request, limits: m.limit });
  const memory = (r: Resources) => ({ requests: r.requests.memory, limits: r.limits.memory });
  assert.deepEqual(memory(resourcesOf(objects, "dctwin-coordinator")), expected(podMemory(tiny.actors.length)));
  assert.deepEqual(
    memory(resourcesOf(objects, "dctwin-hosts")),
    expected(podMemory(largestShard(placeActors(tiny, 2), 2))),
  );
});
