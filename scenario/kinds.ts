/**
 * What the scenario loader needs to know about actor kinds, given to it by its caller (the model registry and leap
 * support sit above this layer: nodes/kind-catalogue.ts), so that scenario/ imports no model.
 */
import type { z } from "zod";
import type { ActorSpec } from "../nodes/runtime/topology.ts";
import type { FileScope } from "./file-scope.ts";
import type { FaultShorthand } from "../spec/requests.ts";

/** Reads a file a scenario names (relative to its folder, confined to it): the loader's, passed to `prepare`. */
export type ReadReferencedFile = (file: string) => { text: string } | { problem: string };

/** A kind's parameters as the loader checks them. */
export interface KindSchema {
  /** Parameters of the kind: a strict object schema, merged into the actor's entry in the scenario. */
  params: z.ZodObject;
  /** Actor ids the (validated) parameters of actor `selfId` refer to, with the parameter's key, so the loader can check them. */
  references: (params: Record<string, unknown>, selfId: string) => { key: string; id: string }[];
  /** Problems that need the actor's own id (e.g. a ring that must contain it), keyed by field. */
  check: (params: Record<string, unknown>, selfId: string) => { key: string; message: string }[];
  /**
   * Turns fields that name files into inline data before validation, reading them through `read` (the loader's
   * confined reader), so hosts never read files; problems are keyed by field.
   */
  prepare: (
    fields: Record<string, unknown>,
    read: ReadReferencedFile,
  ) => { fields: Record<string, unknown>; issues: { key: string; message: string }[] };
  /**
   * A software component: runs on a server's CPU, has no links, and is placed with `placed_on` or a placement
   * rule (scenario/component-placement.ts); its parameters include `concurrency` and `cpu`.
   */
  component: boolean;
}

export interface KindCatalogue {
  kinds: Readonly<Record<string, KindSchema>>;
  /** Kinds leap mode can run (docs/leap.md). */
  leapKinds: readonly string[];
  /** What an actor of a leap-capable kind uses that leap mode does not model yet; null when it can leap. */
  leapUnsupported: (actor: ActorSpec) => string | null;
  /** Why an actor its leap law cannot take runs exact inside a leap run (field path first); null when it leaps. */
  leapFallback: (actor: ActorSpec) => string | null;
  /** Fault actions that stand for a model command, declared by the kinds. */
  faultShorthands: Readonly<Record<string, FaultShorthand>>;
}

/** What resolving actors needs: the kinds, and the scope files may be read from. */
export interface LoadContext {
  kinds: KindCatalogue;
  files: FileScope;
}
