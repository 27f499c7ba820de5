/** Actions that take no parameters (actor-crash, actor-pause, link-down) are all built the same way. */
import type { FaultAction } from "../requests.ts";
import { defineFaultAction, type FaultActionDef, type ProtoCase } from "./define.ts";

export function parameterlessAction(type: string, summary: string, protoCase: ProtoCase): FaultActionDef {
  const action: FaultAction = { type };
  return defineFaultAction<FaultAction, object>({
    type,
    summary,
    fields: {},
    build: () => ({ ...action }),
    toFields: () => ({}),
    flags: [],
    proto: { case: protoCase, paths: {}, from: () => ({ ...action }), to: () => ({}) },
  });
}
