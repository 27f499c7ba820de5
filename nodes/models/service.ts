/**
 * A stateless service replica (a software component, component.ts): placed on a server, it serves requests with
 * `concurrency` slots, each holding `cpu` cores of the server for a `service` time, makes its downstream `calls`,
 * and answers with `response_bytes`.
 */
import { z } from "zod";
import { componentFields, componentModel } from "./component.ts";
import { durationDistribution, sampleBytes, sampleNs, sizeDistribution } from "./distributions.ts";
import { lazy } from "../../spec/lazy.ts";

export const serviceParams = lazy(() =>
  z
    .object({
      ...componentFields,
      service: durationDistribution,
      /** Response size when the request does not ask for one (a size or a size distribution). */
      response_bytes: sizeDistribution().prefault(1000),
    })
    .strict(),
);
export type ServiceParams = z.output<typeof serviceParams>;

export const serviceModel = componentModel<ServiceParams, null>({
  kind: "service",
  initialExtra: () => null,
  begin: (params, _extra, _request, ctx) => ({ workNs: sampleNs(params.service, ctx.rng), op: 0 }),
  finish: (params, _extra, _op, _request, ctx) => sampleBytes(params.response_bytes, ctx.rng),
});
