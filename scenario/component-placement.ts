/**
 * Where software components (service, store) run: every replica is placed on one server, by name or by rule.
 *
 *   placed_on: srv-0-0-1                  # every replica on this server
 *   replicas: 4                           # ids <id>-0 .. <id>-3 (without `replicas`, one replica with the id itself)
 *   placement: { rule: spread, across: rack, select: { pod: pod-1 } }
 *
 * A replica reserves `concurrency × cpu` cores of its server; the reservations on a server must fit its cores. On a
 * server with `core_sharing: dynamic` nothing is reserved (requests take cores when they are free): a replica only
 * needs one request's `cpu` to fit the server's cores, and takes none from later replicas (so `pack` puts every
 * replica on the first such candidate).
 * Candidates are the `server` actors whose labels include every `select` pair, in actor-table order.
 *
 * - `pack`: first fit: each replica goes to the first candidate with enough free cores, so replicas fill as few
 *   servers as the order allows.
 * - `spread`: each replica goes to the `across` domain (a label: rack by default; row, zone, pod, or any other)
 *   holding the fewest replicas of this entry, then to the server of that domain holding the fewest, ties to the
 *   earlier domain and server; servers without enough free cores are skipped. A server without the label is a
 *   domain of its own.
 *
 * Entries with `placed_on` reserve first, then rules run in file order (a rule sees what earlier entries took),
 * so the result depends only on the file. A placed replica gets its server's location labels (rack, row, zone,
 * pod) and `server: <id>`, under its own labels.
 */
import { z } from "zod";
import type { ActorSpec } from "../nodes/runtime/topology.ts";
import { zodIssues, type ValidationIssue } from "./issues.ts";
import { count } from "../spec/units.ts";

/** Keys of a component's actor entry that say where it runs (not model parameters). */
/** Cores a component reserves on its server: every slot busy at once. */
export function reservedMillicores(params: { concurrency: number; cpu: number }): number {
  return params.concurrency * Math.round(params.cpu * 1000);
}

export const componentPlacementKeys = ["placed_on", "replicas", "placement"] as const;

const RULES = ["spread", "pack"] as const;

const placementSchema = z
  .object({
    placed_on: z
      .string({ error: "expected the id of a server" })
      .min(1, { error: "expected the id of a server" })
      .optional(),
    replicas: count(1).optional(),
    placement: z
      .object({
        rule: z.enum(RULES, { error: `expected one of ${RULES.join(", ")}` }),
        select: z
          .record(z.string(), z.string({ error: "expected a string label value" }), {
            error: "expected a map of label names to values",
          })
          .default({}),
        across: z.string({ error: "expected a label name (rack, row, zone, pod, ...)" }).min(1).default("rack"),
      })
      .strict()
      .optional(),
  })
  .superRefine((p, ctx) => {
    if (p.placed_on === undefined && p.placement === undefined)
      ctx.addIssue({
        code: "custom",
        message: "a component needs placed_on (a server id) or placement (a rule)",
        path: ["placed_on"],
      });
    if (p.placed_on !== undefined && p.placement !== undefined)
      ctx.addIssue({ code: "custom", message: "give either placed_on or placement, not both", path: ["placement"] });
  });
export type ComponentPlacement = z.output<typeof placementSchema>;

/** One component entry to place: its replicas (actor indices) and where they should go. */
export interface PlacementRequest {
  /** "actors[3]", for problem paths. */
  path: string;
  replicas: number[];
  placement: ComponentPlacement;
}

/** The placement fields of a component entry; null (with issues) when invalid. */
export function parseComponentPlacement(
  entry: Record<string, unknown>,
  path: string,
  issues: ValidationIssue[],
): ComponentPlacement | null {
  const fields = Object.fromEntries(componentPlacementKeys.filter((k) => k in entry).map((k) => [k, entry[k]]));
  const parsed = placementSchema.safeParse(fields, { reportInput: true });
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error.issues, [path]));
    return null;
  }
  return parsed.data;
}

/** Replica ids: `<id>-<i>` when `replicas` is given, else the id itself. */
export function replicaIds(id: string, placement: ComponentPlacement | null): string[] {
  if (placement?.replicas === undefined) return [id];
  return Array.from({ length: placement.replicas }, (_, i) => `${id}-${i}`);
}

const LOCATION_LABELS = ["rack", "row", "zone", "pod"] as const;

/** Sets `placedOn` and the location labels of every replica; problems name the entry's field. */
export function placeComponents(
  actors: ActorSpec[],
  requests: readonly PlacementRequest[],
  issues: ValidationIssue[],
): void {
  const freeMillicores = new Map<number, number>();
  for (const a of actors) if (a.kind === "server") freeMillicores.set(a.index, coresOf(a) * 1000);
  const need = (replica: number) => {
    const params = actors[replica]!.params as Partial<{ concurrency: number; cpu: number }>;
    return params.concurrency === undefined || params.cpu === undefined
      ? 0
      : reservedMillicores({ concurrency: params.concurrency, cpu: params.cpu }); // invalid params: already reported
  };
  const requestMillicores = (replica: number) => {
    const cpu = (actors[replica]!.params as Partial<{ cpu: number }>).cpu;
    return cpu === undefined ? 0 : Math.round(cpu * 1000);
  };
  const fits = (replica: number, server: ActorSpec) =>
    sharesDynamically(server)
      ? requestMillicores(replica) <= coresOf(server) * 1000
      : freeMillicores.get(server.index)! >= need(replica);
  const assign = (replica: number, server: ActorSpec) => {
    const spec = actors[replica]!;
    spec.placedOn = server.index;
    const location = Object.fromEntries(
      LOCATION_LABELS.filter((k) => server.labels[k] !== undefined).map((k) => [k, server.labels[k]!]),
    );
    spec.labels = { ...location, server: server.id, ...spec.labels };
    if (!sharesDynamically(server)) freeMillicores.set(server.index, freeMillicores.get(server.index)! - need(replica));
  };

  for (const request of requests) {
    const id = request.placement.placed_on;
    if (id === undefined) continue;
    const server = actors.find((a) => a.id === id);
    if (server === undefined || server.kind !== "server") {
      issues.push({
        path: `${request.path}.placed_on`,
        message:
          server === undefined ? `no actor with id "${id}"` : `"${id}" is a ${server.kind}; components run on servers`,
      });
      continue;
    }
    for (const replica of request.replicas) assign(replica, server);
    const tooBig = request.replicas.find((replica) => !fits(replica, server));
    if (sharesDynamically(server) && tooBig !== undefined) {
      issues.push({
        path: `${request.path}.placed_on`,
        message: `"${id}" has ${coresOf(server)} cores, and one request of "${actors[tooBig]!.id}" needs ${fmtCores(requestMillicores(tooBig))}`,
      });
      continue;
    }
    const free = freeMillicores.get(server.index)!;
    if (free < 0) {
      issues.push({
        path: `${request.path}.placed_on`,
        message: `"${id}" has ${coresOf(server)} cores, and the components placed on it reserve ${fmtCores(coresOf(server) * 1000 - free)} (concurrency × cpu each)`,
      });
    }
  }

  for (const request of requests) {
    const rule = request.placement.placement;
    if (rule === undefined) continue;
    const candidates = actors.filter(
      (a) => a.kind === "server" && Object.entries(rule.select).every(([k, v]) => a.labels[k] === v),
    );
    if (candidates.length === 0) {
      issues.push({
        path: `${request.path}.placement.select`,
        message: `no server has the labels ${JSON.stringify(rule.select)}`,
      });
      continue;
    }
    const onServer = new Map<number, number>();
    const inDomain = new Map<string, number>();
    const domainOrder = new Map<string, number>();
    const domainOf = (s: ActorSpec) => s.labels[rule.across] ?? `\u0000${s.id}`;
    for (const s of candidates) if (!domainOrder.has(domainOf(s))) domainOrder.set(domainOf(s), domainOrder.size);
    for (const [r, replica] of request.replicas.entries()) {
      const fitting = candidates.filter((s) => fits(replica, s));
      let chosen: ActorSpec | undefined;
      if (rule.rule === "pack") chosen = fitting[0];
      else {
        // Fewest replicas of this entry in the domain, then on the server; `fitting` is in actor order, so the
        // first minimum is the earliest server of the earliest such domain.
        const key = (s: ActorSpec) =>
          [inDomain.get(domainOf(s)) ?? 0, onServer.get(s.index) ?? 0, domainOrder.get(domainOf(s))!] as const;
        for (const s of fitting) {
          if (chosen === undefined) chosen = s;
          else {
            const a = key(s);
            const b = key(chosen);
            if (a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])))) chosen = s;
          }
        }
      }
      if (chosen === undefined) {
        issues.push({
          path: `${request.path}.placement`,
          message: `cannot place replica ${r + 1} of ${request.replicas.length} ("${actors[replica]!.id}"): no selected server has ${fmtCores(need(replica))} free cores`,
        });
        break;
      }
      assign(replica, chosen);
      onServer.set(chosen.index, (onServer.get(chosen.index) ?? 0) + 1);
      inDomain.set(domainOf(chosen), (inDomain.get(domainOf(chosen)) ?? 0) + 1);
    }
  }
}

function sharesDynamically(server: ActorSpec): boolean {
  return (server.params as { core_sharing?: string }).core_sharing === "dynamic";
}

function coresOf(server: ActorSpec): number {
  return (server.params as { cores?: number }).cores ?? 0;
}

function fmtCores(millicores: number): string {
  return `${millicores / 1000}`;
}
