/**
 * The actor kinds a scenario can use: each kind's parameter schema (validated when the scenario loads) and its
 * model (run by hosts). Adding a kind means adding one entry here; the runtime does not change.
 */
import type { z } from "zod";
import type { ActorModel, ModelLookup } from "../runtime/actor.ts";
import { clientModel, clientParams } from "./client.ts";
import { serverModel, serverParams } from "./server.ts";

export interface ModelEntry {
  /** Parameters of the kind: a strict object schema, merged into the actor's entry in the scenario. */
  params: z.ZodObject;
  model: ActorModel;
  /** Actor ids the (validated) parameters refer to, with the parameter's key, so the loader can check them. */
  references: (params: Record<string, unknown>) => { key: string; id: string }[];
}

/** Ties a model to its parameter schema with full typing, then erases the types for the registry. */
function defineModel<Schema extends z.ZodObject, State>(entry: {
  params: Schema;
  model: ActorModel<z.output<Schema>, State>;
  references?: (params: z.output<Schema>) => { key: string; id: string }[];
}): ModelEntry {
  return {
    params: entry.params,
    model: entry.model as unknown as ActorModel,
    references: (entry.references ?? (() => [])) as ModelEntry["references"],
  };
}

export const modelRegistry: Readonly<Record<string, ModelEntry>> = {
  client: defineModel({ params: clientParams, model: clientModel, references: (p) => [{ key: "target", id: p.target }] }),
  server: defineModel({ params: serverParams, model: serverModel }),
};

export const actorKinds: readonly string[] = Object.keys(modelRegistry);

export const lookupModel: ModelLookup = (kind) => {
  const entry = modelRegistry[kind];
  if (entry === undefined) throw new Error(`unknown actor kind ${JSON.stringify(kind)}`);
  return entry.model;
};
