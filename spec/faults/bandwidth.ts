/** `bandwidth`: the links' bandwidth is capped (serialization delay grows, queues build at the sender). */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { FaultAction } from "../requests.ts";
import { bandwidth as bandwidthSchema } from "../units.ts";
import { defineFaultAction } from "./define.ts";

export interface BandwidthAction extends FaultAction {
  type: "bandwidth";
  bandwidthBps: number;
}

export const bandwidth = defineFaultAction<BandwidthAction, dctwin.v1.LinkBandwidth.$Properties>({
  type: "bandwidth",
  summary: "the links' bandwidth is capped",
  fields: { bandwidth: bandwidthSchema() },
  build(f, at, issues) {
    if (f.bandwidth === undefined)
      issues.push({ path: at("bandwidth"), message: 'required: the capped bandwidth, e.g. "1Mbps"' });
    return { type: "bandwidth", bandwidthBps: (f.bandwidth as number) ?? 0 };
  },
  check(a, at, issues) {
    if (!(a.bandwidthBps > 0 && Number.isFinite(a.bandwidthBps)))
      issues.push({ path: at("bandwidth"), message: "expected a positive bandwidth" });
  },
  toFields: (a) => ({ bandwidth: `${a.bandwidthBps}bps` }),
  flags: [{ name: "bandwidth", value: "rate", field: "bandwidth", help: 'bandwidth: the capped rate, e.g. "1Mbps"' }],
  proto: {
    case: "linkBandwidth",
    paths: { bandwidth: "link_bandwidth.bandwidth_bps" },
    from: (m) => ({ type: "bandwidth", bandwidthBps: m.bandwidthBps ?? 0 }),
    to: (a) => ({ bandwidthBps: a.bandwidthBps }),
  },
});
