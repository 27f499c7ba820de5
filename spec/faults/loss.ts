/** `loss`: packets on the links are lost with a probability (reason link_loss). */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { FaultAction } from "../requests.ts";
import { defineFaultAction } from "./define.ts";
import { probability } from "./fields.ts";

export interface LossAction extends FaultAction {
  type: "loss";
  probability: number;
}

export const loss = defineFaultAction<LossAction, dctwin.v1.LinkLoss.$Properties>({
  type: "loss",
  summary: "packets on the links are lost with a probability",
  fields: { loss: probability },
  build(f, at, issues) {
    if (f.loss === undefined) issues.push({ path: at("loss"), message: "required: the probability a packet is lost" });
    return { type: "loss", probability: (f.loss as number) ?? 0 };
  },
  check(a, at, issues) {
    if (!(a.probability > 0 && a.probability <= 1))
      issues.push({ path: at("loss"), message: "expected a probability in (0, 1]" });
  },
  toFields: (a) => ({ loss: a.probability }),
  flags: [{ name: "loss", value: "p", field: "loss", help: "loss: probability (0.1 or 10%)" }],
  proto: {
    case: "linkLoss",
    paths: { loss: "link_loss.probability" },
    from: (m) => ({ type: "loss", probability: m.probability ?? 0 }),
    to: (a) => ({ probability: a.probability }),
  },
});
