/**
 * The actor kinds a scenario can use: each kind's parameter schema (validated when the scenario loads) and its
 * model (run by hosts). Adding a kind means adding one entry here; the runtime does not change.
 */
import type { z } from "zod";
import type { ActorModel, ModelLookup } from "../runtime/actor.ts";
import { clientCommands, clientModel, clientParams } from "./client.ts";
import { cracCommands, cracModel, cracParams } from "./crac.ts";
import { upsCommands, upsModel, upsParams } from "./ups.ts";
import { loadBalancerModel, loadBalancerParams } from "./load-balancer.ts";
import { mlInferenceModel, mlInferenceParams } from "./ml-inference.ts";
import { mlTrainingModel, mlTrainingParams } from "./ml-training.ts";
import { serverCommands, serverModel, serverParams } from "./server.ts";
import { serviceModel, serviceParams } from "./service.ts";
import { storeModel, storeParams } from "./store.ts";
import { switchModel, switchParams } from "./switch.ts";
import { inlineTraceFile } from "../../scenario/trace-csv.ts";
import { declareMetrics, MODEL_METRICS, type MetricDeclaration } from "./metric-declarations.ts";
import type { KindSchema } from "../../scenario/kinds.ts";
import { callTraffic, type KindTraits } from "./traits.ts";
import type { FaultShorthand } from "../../spec/requests.ts";
import { clientTraits } from "./client-traits.ts";

/** A kind's parameters as the scenario loader checks them (scenario/kinds.ts), its model, and its traits. */
export interface ModelEntry extends KindSchema {
  model: ActorModel;
  /** The model's own commands (besides the runtime's crash/recover/pause/resume) and their argument schemas. */
  commands: Readonly<Record<string, z.ZodType>>;
  /** The metrics the model records (`ctx.record`), by recorded name: type, base unit and scale (metric-declarations.ts). */
  metrics: Readonly<Record<string, MetricDeclaration>>;
  /** What the coordinator may ask of the kind (traits.ts): energy role, cooling, fault shorthands, traffic, load. */
  traits: KindTraits;
}

/** Ties a model to its parameter schema with full typing, then erases the types for the registry. */
export function defineModel<Schema extends z.ZodObject, State>(entry: {
  params: Schema;
  model: ActorModel<z.output<Schema>, State>;
  references?: (params: z.output<Schema>, selfId: string) => { key: string; id: string }[];
  commands?: Readonly<Record<string, z.ZodType>>;
  prepare?: ModelEntry["prepare"];
  check?: (params: z.output<Schema>, selfId: string) => { key: string; message: string }[];
  component?: boolean;
  metrics?: Readonly<Record<string, MetricDeclaration>>;
  traits?: Partial<KindTraits>;
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
    traits: { energyRole: "it", ...entry.traits },
  };
}

function callReferences(p: { calls: readonly { target: string }[] }): { key: string; id: string }[] {
  return p.calls.map((c, i) => ({ key: `calls[${i}].target`, id: c.target }));
}

const registry: Record<string, ModelEntry> = {
  client: defineModel({
    params: clientParams,
    model: clientModel,
    references: (p) => [{ key: "target", id: p.target }],
    commands: clientCommands,
    prepare: inlineTraceFile,
    metrics: MODEL_METRICS.client,
    traits: clientTraits,
  }),
  server: defineModel({
    params: serverParams,
    model: serverModel,
    references: callReferences,
    commands: serverCommands,
    metrics: MODEL_METRICS.server,
    traits: {
      serverSeries: true,
      sensesInlet: (p) => p.inlet_limit_c !== undefined,
      onwardTraffic: callTraffic,
      faultShorthands: {
        "cpu-throttle": { command: "throttle", clear: "unthrottle" },
        "power-off": { command: "power_off", clear: "power_on" },
        "server-fail": { command: "fail", clear: "repair" },
        /** A server runs at the fastest point whose maximum draw fits `args: {watts}` (server-limits.ts). */
        "power-cap": { command: "set_power_cap", clear: "clear_power_cap" },
      },
    },
  }),
  switch: defineModel({ params: switchParams, model: switchModel }),
  ml_training: defineModel({
    params: mlTrainingParams,
    model: mlTrainingModel,
    references: (p, self) => p.ring.flatMap((id, i) => (id === self ? [] : [{ key: `ring[${i}]`, id }])),
    check: (p, self) =>
      p.ring.filter((id) => id === self).length === 1
        ? []
        : [{ key: "ring", message: `must list this worker ("${self}") exactly once` }],
    metrics: MODEL_METRICS.ml_training,
    traits: {
      training: (p) =>
        p.parameters === undefined || p.examples_per_step === undefined
          ? undefined
          : { parameters: p.parameters as number, examplesPerStep: p.examples_per_step as number },
    },
  }),
  ml_inference: defineModel({
    params: mlInferenceParams,
    model: mlInferenceModel,
    metrics: MODEL_METRICS.ml_inference,
  }),
  crac: defineModel({
    params: cracParams,
    model: cracModel,
    commands: cracCommands,
    metrics: MODEL_METRICS.crac,
    traits: {
      energyRole: "cooling",
      coolsZone: (p) => p.zone as string,
      /** The units stop (args `{units: n}`: n of them; default all); cleared by repairing them (crac.ts). */
      faultShorthands: { "cooling-failure": { command: "cooling_fail", clear: "cooling_repair" } },
    },
  }),
  ups: defineModel({
    params: upsParams,
    model: upsModel,
    commands: upsCommands,
    traits: {
      energyRole: "distribution",
      feedsLoad: (p) => ({ zone: (p.zone as string | undefined) ?? null }),
    },
  }),
  service: defineModel({
    params: serviceParams,
    model: serviceModel,
    references: callReferences,
    component: true,
    metrics: MODEL_METRICS.service,
    traits: { onwardTraffic: callTraffic },
  }),
  store: defineModel({
    params: storeParams,
    model: storeModel,
    references: callReferences,
    component: true,
    metrics: MODEL_METRICS.store,
    traits: { onwardTraffic: callTraffic },
  }),
  load_balancer: defineModel({
    params: loadBalancerParams,
    model: loadBalancerModel,
    references: (p) => p.replicas.map((id, i) => ({ key: `replicas[${i}]`, id })),
    traits: { onwardTraffic: (p) => (p.replicas as string[]).map((id, _, all) => ({ id, share: 1 / all.length })) },
  }),
};

export const modelRegistry: Readonly<Record<string, ModelEntry>> = registry;

const kindNames = Object.keys(registry);
export const actorKinds: readonly string[] = kindNames;

/** Every kind's fault shorthands (traits.ts), by action name; two kinds may share one only with the same commands. */
const shorthands: Record<string, FaultShorthand> = {};
export const faultShorthands: Readonly<Record<string, FaultShorthand>> = shorthands;

function addShorthands(kind: string, entry: ModelEntry): void {
  for (const [action, shorthand] of Object.entries(entry.traits.faultShorthands ?? {})) {
    const other = shorthands[action];
    if (other !== undefined && (other.command !== shorthand.command || other.clear !== shorthand.clear))
      throw new Error(`fault shorthand "${action}" of ${kind} means another command elsewhere`);
    shorthands[action] = shorthand;
  }
}
for (const [kind, entry] of Object.entries(registry)) addShorthands(kind, entry);

/**
 * Adds a kind to this process's registry: a plug-in kind, or a test's throw-away one. Hosts in other processes
 * do not see it (run such kinds with the in-process transport).
 */
export function registerKind(kind: string, entry: ModelEntry): void {
  if (Object.hasOwn(registry, kind)) throw new Error(`actor kind "${kind}" is already registered`);
  declareMetrics(kind, entry.metrics);
  addShorthands(kind, entry);
  registry[kind] = entry;
  kindNames.push(kind);
}

const UNKNOWN_KIND: KindTraits = { energyRole: "it" };

/** A kind's traits; a kind not registered (e.g. in an old intervals file) is plain IT. */
export function kindTraits(kind: string): KindTraits {
  return (Object.hasOwn(modelRegistry, kind) ? modelRegistry[kind]!.traits : undefined) ?? UNKNOWN_KIND;
}

export const lookupModel: ModelLookup = (kind) => {
  const entry = modelRegistry[kind];
  if (entry === undefined) throw new Error(`unknown actor kind ${JSON.stringify(kind)}`);
  return entry.model;
};
