/**
 * Builds the actor and link tables from a schema-valid scenario: the generated topology first (in generator
 * order, so placement keeps racks and pods together), explicit actors and links after it. An explicit actor with
 * a generated id takes that actor's place (its labels added to the generated ones). Each actor's kind fields are
 * checked against its model; problems name the field in the file (`actors[3].service`, `topology.server.cores`).
 * Software components (service, store) expand to their replicas in place and are placed on servers
 * (component-placement.ts).
 */
import { linkPowerIssue, linkPowerSpec } from "./topology/link-power.ts";
import type { ActorSpec, LinkSpec } from "../nodes/runtime/topology.ts";
import { zodIssues, type ValidationIssue } from "./issues.ts";
import { readReferencedFile } from "./file-scope.ts";
import type { LoadContext } from "./kinds.ts";
import {
  componentPlacementKeys,
  parseComponentPlacement,
  placeComponents,
  replicaIds,
  type PlacementRequest,
} from "./component-placement.ts";
import { actorCommonKeys, type ScenarioFile } from "./schema.ts";
import type { GeneratedActor, GeneratedLinkEnds, LinkTier, Role } from "./topology/generated.ts";
import { generateTopology } from "./topology/index.ts";
import type { ActorTemplate, GeneratedLink, TopologySection } from "./topology/schema.ts";

type ActorEntry = ScenarioFile["actors"][number];

export interface Assembled {
  actors: ActorSpec[];
  /** Where each actor is defined in the file ("actors[2]" or "topology.server"), for problem paths. */
  actorPaths: string[];
  links: LinkSpec[];
  indexById: Map<string, number>;
}

/** The kind's own fields of an entry (everything but id, kind, group, labels), validated; null when invalid. */
export function parseKindFields(
  kind: string,
  entry: Record<string, unknown>,
  path: string,
  env: LoadContext,
  issues: ValidationIssue[],
): unknown {
  const model = env.kinds.kinds[kind];
  if (model === undefined) {
    issues.push({
      path: `${path}.kind`,
      message: `unknown kind "${kind}"; expected one of: ${Object.keys(env.kinds.kinds).join(", ")}`,
    });
    return null;
  }
  const notOwn: readonly string[] = model.component ? [...actorCommonKeys, ...componentPlacementKeys] : actorCommonKeys;
  const own = Object.fromEntries(Object.entries(entry).filter(([key]) => !notOwn.includes(key)));
  const prepared = model.prepare(own, (file) => readReferencedFile(env.files, file));
  issues.push(...prepared.issues.map((i) => ({ path: `${path}.${i.key}`, message: i.message })));
  if (prepared.issues.length > 0) return null;
  const parsed = model.params.safeParse(prepared.fields, { reportInput: true });
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error.issues, [path]));
    return null;
  }
  return parsed.data;
}

/** An explicit actor entry as a spec (params {} when invalid: the issues say why). */
export function resolveActor(
  entry: ActorEntry,
  index: number,
  path: string,
  env: LoadContext,
  issues: ValidationIssue[],
): ActorSpec {
  const params = parseKindFields(entry.kind, entry, path, env, issues);
  return {
    index,
    id: entry.id,
    kind: entry.kind,
    group: entry.group ?? entry.kind,
    labels: entry.labels ?? {},
    params: params ?? {},
  };
}

interface Template {
  kind: string;
  group: string | undefined;
  labels: Record<string, string>;
  params: unknown;
}

function parseTemplate(template: ActorTemplate, role: Role, env: LoadContext, issues: ValidationIssue[]): Template {
  const kind = template.kind ?? role;
  if (env.kinds.kinds[kind]?.component)
    issues.push({
      path: `topology.${role}.kind`,
      message: `a ${kind} is a software component: list it under actors with placed_on or placement`,
    });
  const params = parseKindFields(kind, template, `topology.${role}`, env, issues);
  return { kind, group: template.group, labels: template.labels ?? {}, params: params ?? {} };
}

/** The generated clients' template: a client without `target` (the generator gives each its server). */
function parseClientTemplate(template: ActorTemplate, env: LoadContext, issues: ValidationIssue[]): Template {
  const path = "topology.clients.client";
  if (template.kind !== undefined && template.kind !== "client")
    issues.push({ path: `${path}.kind`, message: `generated clients are of kind client, got "${template.kind}"` });
  if ("target" in template)
    issues.push({ path: `${path}.target`, message: "set by the generator: each population targets its own server" });
  // Validated with a stand-in target; each generated client gets its own.
  const params = parseKindFields("client", { ...template, kind: "client", target: "generated" }, path, env, issues);
  return { kind: "client", group: template.group, labels: template.labels ?? {}, params: params ?? {} };
}

export function assemble(data: ScenarioFile, env: LoadContext, issues: ValidationIssue[]): Assembled {
  const generated = data.topology === undefined ? { actors: [], links: [] } : generateTopology(data.topology);
  const templates =
    data.topology === undefined
      ? null
      : {
          server: parseTemplate(data.topology.server, "server", env, issues),
          switch: parseTemplate(data.topology.switch, "switch", env, issues),
          client:
            data.topology.clients === undefined ? null : parseClientTemplate(data.topology.clients.client, env, issues),
        };

  // Explicit entries: the first with each id counts; later ones are duplicates.
  const explicitIndex = new Map<string, number>();
  data.actors.forEach((entry, i) => {
    const first = explicitIndex.get(entry.id);
    if (first !== undefined)
      issues.push({ path: `actors[${i}].id`, message: `duplicate id "${entry.id}" (first used by actors[${first}])` });
    else explicitIndex.set(entry.id, i);
  });

  const actors: ActorSpec[] = [];
  const actorPaths: string[] = [];
  const used = new Set<number>();
  const add = (spec: ActorSpec, path: string) => {
    actors.push(spec);
    actorPaths.push(path);
  };
  for (const g of generated.actors) {
    const override = explicitIndex.get(g.id);
    if (override !== undefined && env.kinds.kinds[data.actors[override]!.kind]?.component) {
      issues.push({
        path: `actors[${override}].id`,
        message: `"${g.id}" is a generated ${g.role}; a component needs an id of its own`,
      });
      used.add(override);
    }
    if (override !== undefined && !used.has(override)) {
      used.add(override);
      add(
        overrideActor(g, data.actors[override]!, actors.length, override, templates!, env, issues),
        `actors[${override}]`,
      );
    } else {
      const t = templates![g.role]!;
      const params = g.target === undefined ? t.params : { ...(t.params as object), target: g.target };
      add(
        {
          index: actors.length,
          id: g.id,
          kind: t.kind,
          group: t.group ?? (g.role === "switch" ? g.tier : t.kind),
          labels: { ...g.labels, ...t.labels },
          params,
        },
        g.role === "client" ? "topology.clients.client" : `topology.${g.role}`,
      );
    }
  }
  const placements: PlacementRequest[] = [];
  data.actors.forEach((entry, i) => {
    if (used.has(i)) return;
    if (env.kinds.kinds[entry.kind]?.component !== true) {
      add(resolveActor(entry, actors.length, `actors[${i}]`, env, issues), `actors[${i}]`);
      return;
    }
    // A component entry: its replicas, one actor each, sharing the validated parameters.
    const placement = parseComponentPlacement(entry, `actors[${i}]`, issues);
    const first = resolveActor(entry, actors.length, `actors[${i}]`, env, issues);
    const replicas: number[] = [];
    for (const id of replicaIds(entry.id, placement)) {
      replicas.push(actors.length);
      add({ ...first, index: actors.length, id, labels: { ...first.labels } }, `actors[${i}]`);
    }
    if (placement !== null) placements.push({ path: `actors[${i}]`, replicas, placement });
  });
  if (actors.length === 0) issues.push({ path: "actors", message: "expected at least one actor" });

  const indexById = new Map<string, number>();
  actors.forEach((actor, i) => {
    const first = indexById.get(actor.id);
    if (first === undefined) indexById.set(actor.id, actor.index);
    else if (
      actorPaths[i] !== actorPaths[first] &&
      (env.kinds.kinds[actor.kind]?.component || env.kinds.kinds[actors[first]!.kind]?.component)
    )
      issues.push({
        path: `${actorPaths[i]}.id`,
        message: `replica id "${actor.id}" is already used (${actorPaths[first]})`,
      });
  });
  placeComponents(actors, placements, issues);
  return { actors, actorPaths, links: assembleLinks(data, generated.links, indexById, issues), indexById };
}

function overrideActor(
  g: GeneratedActor,
  entry: ActorEntry,
  index: number,
  entryIndex: number,
  templates: Record<Role, Template | null>,
  env: LoadContext,
  issues: ValidationIssue[],
): ActorSpec {
  const spec = resolveActor(entry, index, `actors[${entryIndex}]`, env, issues);
  const template = templates[g.role]!;
  const generatedKind = template.kind;
  const group =
    entry.group ??
    (entry.kind === generatedKind ? (g.role === "switch" ? g.tier : (template.group ?? generatedKind)) : entry.kind);
  return { ...spec, group, labels: { ...g.labels, ...(entry.labels ?? {}) } };
}

function assembleLinks(
  data: ScenarioFile,
  generated: readonly GeneratedLinkEnds[],
  indexById: Map<string, number>,
  issues: ValidationIssue[],
): LinkSpec[] {
  const links: LinkSpec[] = [];
  const ids = new Set<string>();
  const tiers: Record<LinkTier, GeneratedLink | undefined> | null =
    data.topology === undefined ? null : linkTiers(data.topology);
  for (const g of generated) {
    const spec = tiers![g.tier]!;
    const id = `${g.a}--${g.b}`;
    ids.add(id);
    links.push({
      index: links.length,
      id,
      a: indexById.get(g.a)!,
      b: indexById.get(g.b)!,
      latencyNs: spec.latency,
      bandwidthBps: spec.bandwidth ?? 0,
      loss: spec.loss,
      ...linkPowerSpec(spec.power),
    });
  }
  if (tiers !== null) {
    for (const [tier, spec] of Object.entries(tiers)) {
      const issue = spec === undefined ? null : linkPowerIssue(spec);
      if (issue !== null)
        issues.push({
          path: `topology.${tier === "client" ? "clients.link" : `${tier}_link`}.${issue.path}`,
          message: issue.message,
        });
    }
  }
  data.links.forEach((link, i) => {
    const end = (key: "a" | "b") => {
      const index = indexById.get(link[key]);
      if (index === undefined) issues.push({ path: `links[${i}].${key}`, message: `no actor with id "${link[key]}"` });
      return index ?? -1;
    };
    const a = end("a");
    const b = end("b");
    if (a >= 0 && a === b)
      issues.push({
        path: `links[${i}].b`,
        message: `a link must join two different actors (both ends are "${link.a}")`,
      });
    let id = link.id ?? defaultLinkId(data.links, i);
    if (link.id === undefined && ids.has(id)) id = `${id}--${links.length}`; // parallel to a generated link
    ids.add(id);
    const powerIssue = linkPowerIssue(link);
    if (powerIssue !== null) issues.push({ path: `links[${i}].${powerIssue.path}`, message: powerIssue.message });
    links.push({
      index: links.length,
      id,
      a,
      b,
      latencyNs: link.latency,
      bandwidthBps: link.bandwidth ?? 0,
      loss: link.loss,
      ...linkPowerSpec(link.power),
    });
  });
  return links;
}

function linkTiers(topology: TopologySection): Record<LinkTier, GeneratedLink | undefined> {
  return { server: topology.server_link, fabric: topology.fabric_link, client: topology.clients?.link };
}

/** "a--b", or "a--b--<index>" when several links join the same pair. */
function defaultLinkId(links: ScenarioFile["links"], index: number): string {
  const link = links[index]!;
  const base = `${link.a}--${link.b}`;
  const parallel =
    links.filter(
      (l) => l.id === undefined && ((l.a === link.a && l.b === link.b) || (l.a === link.b && l.b === link.a)),
    ).length > 1;
  return parallel ? `${base}--${index}` : base;
}
