/**
 * Kubernetes manifests in tests: rendered with the real `kubectl kustomize`, every object validated against the
 * Kubernetes OpenAPI schemas (kubernetes-models; Prometheus Operator CRDs from @kubernetes-models/prometheus-operator).
 * The schemas check types, required fields and formats; like the API server's default, they let unknown fields pass.
 */
import { execFileSync } from "node:child_process";
import { parseAllDocuments } from "yaml";

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
  return parseAllDocuments(text).map((d) => d.toJS() as K8sObject).filter((o) => o !== null);
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
  if (pkg === undefined) throw new Error(`${object.kind} ${object.metadata.name}: no schema for apiVersion ${object.apiVersion}`);
  const models = (await import(pkg)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = models[object.kind];
  if (Model === undefined) throw new Error(`${object.kind} ${object.metadata.name}: no schema for kind ${object.kind} in ${object.apiVersion}`);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`);
  }
}
