/**
 * Kubernetes manifests in tests: rendered with the real `kubectl kustomize`, every object validated against the
 * Kubernetes OpenAPI schemas (kubernetes-models; Prometheus Operator CRDs from @kubernetes-models/prometheus-operator).
 * The schemas check types, required fields and formats but let unknown fields pass, so a misspelt field (which the
 * API server would drop, or refuse under `kubectl apply --validate=strict`) is caught by a second, strict check:
 * the TypeScript compiler's excess-property check of each object against the same models' types.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT } from "./cli.ts";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

export function kustomize(dir: string): K8sObject[] {
  const text = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject)
    .filter((o) => o !== null);
}

const MODEL_PACKAGES: Record<string, string> = {
  v1: "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "batch/v1": "kubernetes-models/batch/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};

/** Throws with the object and the schema's complaint when an object does not validate (or has no schema here). */
export async function validateObject(object: K8sObject): Promise<void> {
  const pkg = MODEL_PACKAGES[object.apiVersion];
  if (pkg === undefined)
    throw new Error(`${object.kind} ${object.metadata.name}: no schema for apiVersion ${object.apiVersion}`);
  const models = (await import(pkg)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = models[object.kind];
  if (Model === undefined)
    throw new Error(
      `${object.kind} ${object.metadata.name}: no schema for kind ${object.kind} in ${object.apiVersion}`,
    );
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`);
  }
}

export interface NatsNodePorts {
  client: number;
  route: number;
  monitor: number;
}

/**
 * The rendered NATS configuration of node `index` as one machine runs it: the Service's route names
 * (nats-N.nats:6222) and the node's route port replaced by loopback ones; the client and monitoring ports are
 * given on the command line (-p, -m), which wins over the file.
 */
export function loopbackNatsConfig(conf: string, index: number, nodes: NatsNodePorts[]): string {
  let text = conf;
  for (const [j, q] of nodes.entries()) {
    const route = `nats://nats-${j}.nats:6222`;
    if (!text.includes(route)) throw new Error(`the NATS config has no route ${route}`);
    text = text.replace(route, `nats://127.0.0.1:${q.route}`);
  }
  if (!/^\s+port: 6222$/m.test(text) || !/^\s+name: dctwin$/m.test(text))
    throw new Error("the NATS config's cluster block changed: update this rewrite");
  return text
    .replace(/^(\s+)port: 6222$/m, `$1port: ${nodes[index]!.route}`)
    .replace(/^(\s+)name: dctwin$/m, "$1name: dctwin\n$1host: 127.0.0.1");
}

/**
 * Rejects unknown fields anywhere in the objects (and wrong types): each object becomes a typed object literal
 * (`const o: IJob = {...}`) that `tsc --strict` checks; its complaints come back per object. Throws listing them.
 */
export function validateStrict(objects: K8sObject[]): void {
  // Under node_modules so that the models resolve; removed afterwards.
  const work = mkdtempSync(join(REPO_ROOT, "node_modules", ".dctwin-k8s-strict-"));
  try {
    const lines: string[] = [];
    const owners: { firstLine: number; what: string }[] = [];
    objects.forEach((o, i) => {
      const pkg = MODEL_PACKAGES[o.apiVersion];
      if (pkg === undefined) throw new Error(`${o.kind} ${o.metadata.name}: no schema for apiVersion ${o.apiVersion}`);
      lines.push(`import type { I${o.kind} as T${i} } from "${pkg}/${o.kind}";`);
    });
    objects.forEach((o, i) => {
      owners.push({ firstLine: lines.length + 1, what: `${o.kind} ${o.metadata.name}` });
      lines.push(...`export const o${i}: T${i} = ${JSON.stringify(o, null, 2)};`.split("\n"));
    });
    const file = join(work, "objects.ts");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const args = [
      "--noEmit",
      "--strict",
      "--skipLibCheck",
      "--target",
      "es2022",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--types",
      "node",
      file,
    ];
    try {
      execFileSync(join(REPO_ROOT, "node_modules/.bin/tsc"), args, {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      const output = String((error as { stdout?: string }).stdout ?? error);
      const complaints = output
        .split("\n")
        .map((line) => /objects\.ts\((\d+),\d+\): error TS\d+: (.*)$/.exec(line))
        .filter((m) => m !== null)
        .map(
          ([, line, message]) =>
            `${owners.findLast((o) => o.firstLine <= Number(line))?.what ?? "?"}: ${lines[Number(line) - 1]!.trim()} -- ${message}`,
        );
      throw new Error(complaints.length > 0 ? complaints.join("\n") : output);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
