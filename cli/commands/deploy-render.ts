/**
 * `dctwin deploy`: the manifests of one run on Kubernetes, as a kustomization over deploy/kubernetes/base with the
 * run's scenario, host count, run id, image, namespace and control token. Pure: returns the files to write.
 */
import { randomBytes } from "node:crypto";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import type { PodMemory } from "./deploy-sizing.ts";

export const KUBERNETES_BASE = fileURLToPath(new URL("../../deploy/kubernetes/base", import.meta.url));

export interface DeployOptions {
  scenarioYaml: string;
  hosts: number;
  runId: string;
  namespace: string;
  /** name[:tag] of the dctwin image. */
  image: string;
  /** NATS URL the pods use (default: the base's 3-node cluster). */
  nats?: string;
  /** kube-prometheus-stack's release label, so its Prometheus picks the PodMonitor up. */
  prometheusRelease?: string;
  /** Control API token (default: random). */
  token?: string;
  /** Memory of the coordinator and of each host (cli/deploy-sizing.ts). */
  memory: { coordinator: PodMemory; host: PodMemory };
  /** Directory the files go to (the base is referenced relative to it). */
  outDir: string;
}

export function splitImage(image: string): { newName: string; newTag?: string; digest?: string } {
  const at = image.indexOf("@");
  if (at >= 0) return { newName: image.slice(0, at), digest: image.slice(at + 1) };
  const colon = image.lastIndexOf(":");
  return colon > image.lastIndexOf("/")
    ? { newName: image.slice(0, colon), newTag: image.slice(colon + 1) }
    : { newName: image };
}

function memoryPatch(memory: PodMemory): { op: string; path: string; value: string }[] {
  const resources = "/spec/template/spec/containers/0/resources";
  return [
    { op: "replace", path: `${resources}/requests/memory`, value: memory.request },
    { op: "replace", path: `${resources}/limits/memory`, value: memory.limit },
  ];
}

export function renderDeployment(o: DeployOptions): Record<string, string> {
  const patches: { target: Record<string, string>; patch: string }[] = [
    {
      target: { kind: "Job", name: "dctwin-hosts" },
      patch: stringify([
        { op: "replace", path: "/spec/completions", value: o.hosts },
        { op: "replace", path: "/spec/parallelism", value: o.hosts },
        ...memoryPatch(o.memory.host),
      ]),
    },
    { target: { kind: "Job", name: "dctwin-coordinator" }, patch: stringify(memoryPatch(o.memory.coordinator)) },
  ];
  if (o.prometheusRelease !== undefined) {
    patches.push({
      target: { kind: "PodMonitor", name: "dctwin" },
      patch: stringify([{ op: "replace", path: "/metadata/labels/release", value: o.prometheusRelease }]),
    });
  }
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    namespace: o.namespace,
    resources: ["namespace.yaml", relative(o.outDir, KUBERNETES_BASE) || "."],
    labels: [{ pairs: { "dctwin.io/run": o.runId }, includeSelectors: false, includeTemplates: true }],
    configMapGenerator: [
      { name: "dctwin-scenario", behavior: "replace", files: ["scenario.yaml"] },
      {
        name: "dctwin-run",
        behavior: "merge",
        literals: [
          `DCTWIN_HOSTS=${o.hosts}`,
          `DCTWIN_RUN_ID=${o.runId}`,
          `DCTWIN_RUN=${o.runId}`,
          ...(o.nats === undefined ? [] : [`DCTWIN_NATS=${o.nats}`]),
        ],
      },
    ],
    secretGenerator: [{ name: "dctwin-control", envs: ["control-token.env"] }],
    images: [{ name: "dctwin", ...splitImage(o.image) }],
    patches,
  };
  const header = `# dctwin run ${o.runId}: ${o.hosts} host(s) in namespace ${o.namespace}. Rendered by dctwin deploy; apply with\n# kubectl apply -k ${o.outDir}\n`;
  return {
    "kustomization.yaml": header + stringify(kustomization),
    "namespace.yaml": stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: o.namespace } }),
    "scenario.yaml": o.scenarioYaml,
    "control-token.env": `token=${o.token ?? randomBytes(16).toString("hex")}\n`,
  };
}
