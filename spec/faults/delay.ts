/** `delay`: latency added to the links' own, and a jitter drawn uniformly from [0, jitter) per packet. */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { FaultAction } from "../requests.ts";
import { duration } from "../units.ts";
import { defineFaultAction } from "./define.ts";
import { durationText } from "./fields.ts";
import { nonNegativeNs } from "./wire.ts";

export interface DelayAction extends FaultAction {
  type: "delay";
  latencyNs: number;
  jitterNs: number;
}

export const delay = defineFaultAction<DelayAction, dctwin.v1.LinkDelay.$Properties>({
  type: "delay",
  summary: "latency (and jitter) added to the links'",
  fields: { latency: duration({ positive: false }), jitter: duration({ positive: false }) },
  build(f, at, issues) {
    if (f.latency === undefined && f.jitter === undefined)
      issues.push({ path: at("latency"), message: "a delay needs a latency (added to the link's) and/or a jitter" });
    return { type: "delay", latencyNs: (f.latency as number) ?? 0, jitterNs: (f.jitter as number) ?? 0 };
  },
  check(a, at, issues) {
    if (!(Number.isSafeInteger(a.latencyNs) && a.latencyNs >= 0))
      issues.push({ path: at("latency"), message: "expected a non-negative duration" });
    if (!(Number.isSafeInteger(a.jitterNs) && a.jitterNs >= 0))
      issues.push({ path: at("jitter"), message: "expected a non-negative duration" });
    if (a.latencyNs === 0 && a.jitterNs === 0)
      issues.push({ path: at("latency"), message: "a delay needs a latency or a jitter above zero" });
  },
  toFields: (a) => ({ latency: durationText(a.latencyNs), jitter: durationText(a.jitterNs) }),
  flags: [
    { name: "latency", value: "d", field: "latency", help: "delay: latency added to the link's" },
    { name: "jitter", value: "d", field: "jitter", help: "delay: jitter, uniform in [0, d) per packet" },
  ],
  proto: {
    case: "linkDelay",
    paths: { latency: "link_delay.latency_ns", jitter: "link_delay.jitter_ns" },
    from: (m, path, issues) => ({
      type: "delay",
      latencyNs: nonNegativeNs(m.latencyNs, `${path}.latency_ns`, issues),
      jitterNs: nonNegativeNs(m.jitterNs, `${path}.jitter_ns`, issues),
    }),
    to: (a) => ({ latencyNs: a.latencyNs, jitterNs: a.jitterNs }),
  },
});
