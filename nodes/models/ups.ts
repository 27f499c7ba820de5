/**
 * A UPS (or PDU): the power distribution between the grid and the IT load it feeds. Its power is its loss, a
 * function of the IT power P it delivers (a common fit to vendors' efficiency curves):
 *
 *   P_loss = fixed_w + proportional · P + quadratic_per_w · P²
 *
 * (no-load loss, then conversion losses linear and resistive in the load). Its energy is distribution energy
 * (energy role "distribution": docs/thermo.md), counted with the distribution losses in the facility energy and
 * the PUE. P reaches it like the zone heat reaches a CRAC: the distribution relay (a boundary plug-in on the
 * coordinator, coordinator/driver/distribution.ts) sends `set_load {watts}` at every metrics-interval boundary
 * t_j (j >= 2) with the mean IT power of interval j−2 of the actors it feeds, split over the units feeding them;
 * until the first, P = 0. The loss is piecewise constant between commands, so its energy is exact.
 *
 * Commands: `set_load {watts}`, and the runtime's crash/recover (a crashed unit delivers nothing and loses nothing).
 */
import { z } from "zod";
import type { ActorContext, ActorModel } from "../runtime/actor.ts";
import { watts } from "../../spec/units.ts";
import { lazy } from "../../spec/lazy.ts";

const nonNegative = (what: string) =>
  z
    .number({ error: `expected a non-negative ${what}` })
    .nonnegative({ error: `expected a non-negative ${what}` })
    .finite({ error: `expected a non-negative ${what}` });

export const upsParams = lazy(() =>
  z
    .object({
      /** The IT actors it feeds: those whose `zone` label has this value; every IT actor when absent. */
      zone: z.string({ error: "expected a zone name (the `zone` label of the IT actors it feeds)" }).min(1).optional(),
      loss: z
        .object({
          /** No-load loss, W. */
          fixed_w: watts().default(0),
          /** Loss per watt delivered (dimensionless). */
          proportional: nonNegative("loss per watt").default(0),
          /** Loss per watt squared (1/W). */
          quadratic_per_w: nonNegative("loss per watt squared").default(0),
        })
        .strict(),
    })
    .strict(),
);
export type UpsParams = z.output<typeof upsParams>;

export const upsCommands = lazy(() => ({
  set_load: z.object({ watts: nonNegative("power in watts") }).strict(),
}));

interface UpsState {
  params: UpsParams;
  loadW: number;
  crashed: boolean;
}

/** The loss at IT power `loadW`. */
export function upsLossW(loss: UpsParams["loss"], loadW: number): number {
  return loss.fixed_w + loss.proportional * loadW + loss.quadratic_per_w * loadW * loadW;
}

function update(state: UpsState, ctx: ActorContext): void {
  ctx.setPower("loss", state.crashed ? 0 : upsLossW(state.params.loss, state.loadW));
}

export const upsModel: ActorModel<UpsParams, UpsState> = {
  kind: "ups",
  initial(params, ctx) {
    const state: UpsState = { params, loadW: 0, crashed: false };
    update(state, ctx);
    return state;
  },
  onPacket(_state, packet, ctx) {
    ctx.drop(packet, "unexpected_species");
  },
  onTimer() {},
  queued: () => 0,
  onCommand(state, command, args, ctx) {
    if (command === "set_load") state.loadW = upsCommands.set_load.parse(args).watts;
    else if (command === "crash") state.crashed = true;
    else if (command === "recover") state.crashed = false;
    else return;
    update(state, ctx);
  },
};
