/**
 * Which kinds leap mode runs, and the model lookup of a leap run: a kind with a leap behaviour runs it through
 * the adapter; a kind without one that needs no packets of its own (a CRAC unit: timers and commands; a UPS:
 * the distribution relay's `set_load` commands at interval boundaries) runs its exact model unchanged.
 */
import type { LeapBehaviour, ModelLookup } from "../runtime/actor.ts";
import type { ActorSpec, ResolvedScenario } from "../runtime/topology.ts";
import { leapModel } from "./adapter.ts";
import { clientLeap } from "./client.ts";
import { exactInLeap, hybridModel } from "./exact-in-leap.ts";
import { serviceLeap, storeLeap } from "./component-kinds.ts";
import { loadBalancerLeap } from "./load-balancer.ts";
import { mlTrainingLeap } from "./ml-training.ts";
import { mlInferenceLeap, mlInferenceNeedsExact } from "./ml-inference.ts";
import { serverLeap } from "./server.ts";
import { switchLeap } from "./switch.ts";
import { lookupModel } from "../models/registry.ts";
import type { MlInferenceParams } from "../models/ml-inference.ts";

/** Kinds leap mode can run: null means the exact model runs as it is. */
export const leapKinds: Readonly<Record<string, LeapBehaviour | null>> = {
  client: clientLeap as LeapBehaviour,
  server: serverLeap as LeapBehaviour,
  switch: switchLeap as LeapBehaviour,
  load_balancer: loadBalancerLeap as LeapBehaviour,
  crac: null,
  service: serviceLeap,
  store: storeLeap,
  ups: null,
  ml_training: mlTrainingLeap as LeapBehaviour,
  ml_inference: mlInferenceLeap as LeapBehaviour,
};

/** Clients tick at every step boundary too, so windows start on boundaries (adapter.ts). */
const ANCHOR_KINDS = new Set(["client"]);

/** What an actor of a leap-capable kind uses that leap mode does not model yet; null when it can leap. */
export function leapUnsupported(_actor: ActorSpec): string | null {
  // ml_training leaps with restarts and random compute times (ml-training-law.ts, ml-training-faults.ts); an
  // ml_inference actor the batch law cannot take runs exact (leapFallback).
  return null;
}

/**
 * Why an actor of a leap-capable kind runs its exact model inside a leap run (its leap law cannot take it: the
 * loader adds it to the hybrid run's exact actors, scenario/leap-hybrid.ts); null when it leaps.
 */
export function leapFallback(actor: ActorSpec): string | null {
  if (actor.kind === "ml_inference") return mlInferenceNeedsExact(actor.params as MlInferenceParams);
  return null;
}

/**
 * The model lookup of a run: the exact models, or for a leap run their leap behaviours behind the adapter; in a
 * hybrid run (run.leap.exact) a kind with exact actors dispatches per actor (exact-in-leap.ts).
 */
export function modelsFor(scenario: ResolvedScenario, exact: ModelLookup): ModelLookup {
  const leap = scenario.run.leap;
  if (scenario.run.mode !== "leap" || leap === undefined) return exact;
  const step = { ...leap, links: scenario.links };
  const exactActors = new Set(leap.exact ?? []);
  const exactKinds = new Set(scenario.actors.filter((a) => exactActors.has(a.index)).map((a) => a.kind));
  const cache = new Map<string, ReturnType<ModelLookup>>();
  return (kind) => {
    let model = cache.get(kind);
    if (model === undefined) {
      const behaviour = leapKinds[kind];
      if (behaviour === undefined) throw new Error(`leap mode cannot run actors of kind "${kind}"`);
      model = behaviour === null ? exact(kind) : leapModel(kind, behaviour, step, ANCHOR_KINDS.has(kind));
      if (behaviour !== null && exactKinds.has(kind))
        model = hybridModel(model, exactInLeap(exact(kind), leap.stepNs), exactActors);
      cache.set(kind, model);
    }
    return model;
  };
}

/** The models of a run with the registered kinds: what hosts give their HostAgent. */
export function runModels(scenario: ResolvedScenario): ModelLookup {
  return modelsFor(scenario, lookupModel);
}
