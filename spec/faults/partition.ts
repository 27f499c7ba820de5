/** `partition`: link down on every link between an actor the selector matches and one `other` matches. */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { FaultAction, SelectorSpec } from "../requests.ts";
import { defineFaultAction } from "./define.ts";
import { selectorFromFields, selectorSchema } from "./fields.ts";
import { selectorFromProto, selectorToProto } from "./wire.ts";

export interface PartitionAction extends FaultAction {
  type: "partition";
  other: SelectorSpec;
}

const side = "partition's other side";

export const partition = defineFaultAction<PartitionAction, dctwin.v1.Partition.$Properties>({
  type: "partition",
  summary: "the links between the selected actors and the other side's go down",
  fields: { other: selectorSchema },
  build(f, at, issues) {
    if (f.other === undefined) issues.push({ path: at("other"), message: "required: the selector of the other side" });
    return { type: "partition", other: selectorFromFields(f.other as Parameters<typeof selectorFromFields>[0]) };
  },
  toFields: (a) => ({ other: a.other }),
  flags: [
    { name: "other-actors", value: "ids", field: "other.actors", list: true, help: `${side}: actor ids` },
    { name: "other-kinds", value: "kinds", field: "other.kinds", list: true, help: `${side}: actor kinds` },
    { name: "other-groups", value: "groups", field: "other.groups", list: true, help: `${side}: actor groups` },
    { name: "other-label", value: "key=value", field: "other.labels", pairs: true, help: `${side}: actor label` },
  ],
  proto: {
    case: "partition",
    paths: { other: "partition.other" },
    from: (m) => ({ type: "partition", other: selectorFromProto(m.other) }),
    to: (a) => ({ other: selectorToProto(a.other) }),
  },
});
