/**
 * The actor kinds a scenario can use: each kind's parameter schema (validated when the scenario loads) and its
 * model (run by hosts). Adding a kind means adding one entry here; the runtime does not change.
 */
import type { z } from "zod";
import type { ActorModel, ModelLookup } from "../runtime/actor.ts";
import { clientCommands, clientModel, clientParams } from "./client.ts";
import { cracCommands, cracModel, cracParams } from "./crac.ts";
import { loadBalancerModel, loadBalancerParams } from "./load-balancer.ts";
import { mlInferenceModel, mlInferenceParams } from "./ml-inference.ts";
import { mlTrainingModel, mlTrainingParams } from "./ml-training.ts";
import { serverCommands, serverModel, serverParams } from "./server.ts";
import { serviceModel, serviceParams } from "./service.ts";
import { storeModel, storeParams } from "./store.ts";
import { switchModel, switchParams } from "./switch.ts";
import { inlineTraceFile } from "../../scenario/trace-csv.ts";
import { MODEL_METRICS, type MetricDeclaration } from "./metric-declarations.ts";
import type { KindSchema } from "../../scenario/kinds.ts";

/** A kind's parameters as the scenario loader checks them (scenario/kinds.ts), its model, and its traits. */
export interface ModelEntry extends KindSchema {
  model: ActorModel;
  /** The model's own commands (besides the runtime's crash/recover/pause/resume) and their argument schemas. */
  commands: Readonly<Record<string, z.ZodType>>;
  /** The metrics the model records (`ctx.record`), by recorded name: type, base unit and scale (metric-declarations.ts). */
  metrics: Readonly<Record<string, MetricDeclaration>>;
}

/** Ties a model to its parameter schema with full typing, then erases the types for the registry. */
function defineModel<Schema extends z.ZodObject, State>(entry: {
  params: Schema;
  model: ActorModel<z.output<Schema>, State>;
  references?: (params: z.output<Schema>, selfId: string) => { key: string; id: string }[];
  commands?: Readonly<Record<string, z.ZodType>>;
  prepare?: ModelEntry["prepare"];
  check?: (params: z.output<Schema>, selfId: string) => { key: string; message: string }[];
  component?: boolean;
  metrics?: Readonly<Record<string, MetricDeclaration>>;
}): ModelEntry {
  return {
    params: entry.params,
    model: entry.model as unknown as ActorModel,
    references: (entry.references ?? (() => [])) as ModelEntry["references"],
    commands: entry.commands ?? {},
    prepare: entry.prepare ?? ((fields) => ({ fields, issues: [] })),
    check: (entry.check ?? (() => [])) as ModelEntry["check"],
    component: entry.component ?? false,
    metrics: entry.metrics ?? {},
  };
}

function callReferences(p: { calls: readonly { target: string }[] }): { key: string; id: string }[] {
  return p.calls.map((c, i) => ({ key: `calls[${i}].target`, id: c.target }));
}

export const modelRegistry: Readonly<Record<string, ModelEntry>> = {
  client: defineModel({ params: clientParams, model: clientModel, references: (p) => [{ key: "target", id: p.target }], commands: clientCommands, prepare: inlineTraceFile, metrics: MODEL_METRICS.client }),
  server: defineModel({
    params: serverParams,
    model: serverModel,
    references: callReferences,
    commands: serverCommands,
    metrics: MODEL_METRICS.server,
  }),
  switch: defineModel({ params: switchParams, model: switchModel }),
  ml_training: defineModel({
    params: mlTrainingParams,
    model: mlTrainingModel,
    references: (p, self) => p.ring.flatMap((id, i) => (id === self ? [] : [{ key: `ring[${i}]`, id }])),
    check: (p, self) => (p.ring.filter((id) => id === self).length === 1 ? [] : [{ key: "ring", message: `must list this worker ("${self}") exactly once` }]),
    metrics: MODEL_METRICS.ml_training,
  }),
  ml_inference: defineModel({ params: mlInferenceParams, model: mlInferenceModel, metrics: MODEL_METRICS.ml_inference }),
  crac: defineModel({ params: cracParams, model: cracModel, commands: cracCommands, metrics: MODEL_METRICS.crac }),
  service: defineModel({ params: serviceParams, model: serviceModel, references: callReferences, component: true, metrics: MODEL_METRICS.service }),
  store: defineModel({ params: storeParams, model: storeModel, references: callReferences, component: true, metrics: MODEL_METRICS.store }),
  load_balancer: defineModel({
    params: loadBalancerParams,
    model: loadBalancerModel,
    references: (p) => p.replicas.map((id, i) => ({ key: `replicas[${i}]`, id })),
  }),
};

export const actorKinds: readonly string[] = Object.keys(modelRegistry);

export const lookupModel: ModelLookup = (kind) => {
  const entry = modelRegistry[kind];
  if (entry === undefined) throw new Error(`unknown actor kind ${JSON.stringify(kind)}`);
  return entry.model;
};
