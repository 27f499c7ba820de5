/**
 * The scenario's `topology` section: a generated network (fat-tree or leaf-spine) with the parameters of its
 * servers and switches and of its two link tiers. Explicit `actors` and `links` are added to what it generates;
 * an explicit actor with a generated id replaces that actor in place (e.g. to give one server another role).
 */
import { z } from "zod";
import { formatCount, MAX_ACTORS, MAX_LINKS } from "../../spec/limits.ts";
import { bandwidth, count, duration } from "../../spec/units.ts";
import { linkPowerSchema } from "./link-power.ts";

const probability = z
  .number({ error: "expected a probability from 0 to 1" })
  .min(0, { error: "expected a probability from 0 to 1" })
  .max(1, { error: "expected a probability from 0 to 1" });

export const generatedLinkSchema = z
  .object({
    latency: duration(),
    /** Omitted: unlimited (no serialization delay). */
    bandwidth: bandwidth().optional(),
    loss: probability.default(0),
    /** Port power at both ends (scenario/link-power.ts). */
    power: linkPowerSchema.optional(),
  })
  .strict();
export type GeneratedLink = z.output<typeof generatedLinkSchema>;

/** An actor template: an optional kind, group and labels, then that kind's own fields (checked against its model). */
const templateSchema = z.looseObject({
  kind: z.string({ error: "expected an actor kind" }).optional(),
  group: z.string({ error: "expected a group name" }).optional(),
  labels: z
    .record(z.string(), z.string({ error: "expected a string label value" }), {
      error: "expected a map of label names to strings",
    })
    .optional(),
});
export type ActorTemplate = z.output<typeof templateSchema>;

const layoutSchema = z
  .object({
    /** Racks (edge or leaf switches with their servers) per row; default: a pod per row (fat-tree), one row (leaf-spine). */
    racks_per_row: count(1).optional(),
    /** Rows per cooling zone; default: one zone. */
    rows_per_zone: count(1).optional(),
  })
  .strict()
  .default({});

const clientsSchema = z
  .object({
    /** Every generated client population: a client's fields without `target` (each targets its own server). */
    client: templateSchema,
    /** Client population to its rack's switch. */
    link: generatedLinkSchema,
    /** Every n-th population of a rack sits in the rack half the racks away (its traffic crosses the fabric); default: none. */
    remote_every: count(1).optional(),
  })
  .strict();

const common = {
  /** Every generated server: kind (default server) and its fields. */
  server: templateSchema,
  /** Every generated switch: kind (default switch) and its fields. */
  switch: templateSchema.default({}),
  /** Server to edge/leaf switch. */
  server_link: generatedLinkSchema,
  /** Between switches. */
  fabric_link: generatedLinkSchema,
  layout: layoutSchema,
  /** Optional: one client population per generated server (topology/clients.ts). */
  clients: clientsSchema.optional(),
};

const evenMessage = "expected an even whole number of at least 2";

export const topologySchema = z
  .discriminatedUnion(
    "type",
    [
      z
        .object({
          type: z.literal("fat-tree"),
          /** Ports per switch: k pods of k/2 edge and k/2 aggregation switches, (k/2)² core switches, k³/4 servers. */
          k: z
            .number({ error: evenMessage })
            .int({ error: evenMessage })
            .min(2, { error: evenMessage })
            .refine((k) => k % 2 === 0, { error: evenMessage }),
          ...common,
        })
        .strict(),
      z
        .object({
          type: z.literal("leaf-spine"),
          leaves: count(1),
          spines: count(1),
          servers_per_leaf: count(1),
          ...common,
        })
        .strict(),
    ],
    { error: 'expected "type": one of fat-tree, leaf-spine' },
  )
  .superRefine((section, ctx) => {
    // Sized from the shape alone, before anything is generated: a fat-tree's actors grow as k³.
    const { actors, links, shape } = topologySize(section);
    if (actors > MAX_ACTORS || links > MAX_LINKS) {
      ctx.addIssue({
        code: "custom",
        path: section.type === "fat-tree" ? ["k"] : [],
        message: `${shape} has ${formatCount(actors)} actors and ${formatCount(links)} links; a scenario may have at most ${formatCount(MAX_ACTORS)} actors and ${formatCount(MAX_LINKS)} links`,
      });
    }
  });

/** Actors and links a topology section generates, computed from its shape. */
export function topologySize(
  section:
    | { type: "fat-tree"; k: number }
    | { type: "leaf-spine"; leaves: number; spines: number; servers_per_leaf: number },
): { actors: number; links: number; shape: string } {
  if (section.type === "fat-tree") {
    const k = section.k;
    return { actors: k ** 3 / 4 + (5 * k ** 2) / 4, links: (3 * k ** 3) / 4, shape: `a fat-tree with k = ${k}` };
  }
  const servers = section.leaves * section.servers_per_leaf;
  return {
    actors: servers + section.leaves + section.spines,
    links: servers + section.leaves * section.spines,
    shape: `a leaf-spine of ${section.leaves} leaves, ${section.spines} spines and ${section.servers_per_leaf} servers per leaf`,
  };
}
export type TopologySection = z.output<typeof topologySchema>;
