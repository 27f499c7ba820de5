/**
 * Power of a link's two ports (NICs or switch transceivers), the same for explicit and generated links: each end
 * draws `idle_w` all the time, and the end that transmits draws `max_w` while its wire is busy serializing, so its
 * average draw is idle_w + (max_w − idle_w)·utilisation and the energy of a packet lands in the time it is on the
 * wire (nodes/runtime/power.ts `spread`). Dynamic power needs a bandwidth (serialization time).
 */
import { z } from "zod";
import type { LinkSpec } from "../../nodes/runtime/topology.ts";
import { watts } from "../../spec/units.ts";

export const linkPowerSchema = z
  .object({
    /** Draw of each end while idle (and while the link is down: the port stays powered). */
    idle_w: watts().default(0),
    /** Draw of a transmitting end at full line rate; defaults to idle_w (no load-proportional part). */
    max_w: watts().optional(),
  })
  .strict()
  .refine((p) => p.max_w === undefined || p.max_w >= p.idle_w, {
    error: "max_w must be at least idle_w",
    path: ["max_w"],
  });
export type LinkPower = z.output<typeof linkPowerSchema>;

/** A load-proportional part needs serialization time: refuses `power.max_w` above idle on a link without bandwidth. */
export function linkPowerIssue(link: {
  bandwidth?: number | undefined;
  power?: LinkPower | undefined;
}): { path: string; message: string } | null {
  const p = link.power;
  if (p === undefined || p.max_w === undefined || p.max_w === p.idle_w || link.bandwidth !== undefined) return null;
  return {
    path: "power.max_w",
    message: "a load-proportional draw needs the link's bandwidth (the time a packet is on the wire)",
  };
}

/** The resolved fields of a powered link (none for a link without power, so existing scenarios keep their bytes). */
export function linkPowerSpec(power: LinkPower | undefined): Pick<LinkSpec, "idleW" | "busyExtraW"> {
  if (power === undefined) return {};
  return { idleW: power.idle_w, busyExtraW: (power.max_w ?? power.idle_w) - power.idle_w };
}
