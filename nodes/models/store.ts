/**
 * A stateful database replica (a software component, component.ts): each request is a write with probability
 * `write_fraction` (drawn from the store's own stream) and a read otherwise; reads and writes have their own
 * service times and response sizes. The state is the records held and the bytes they take: a write adds a
 * record of the request's size. With `capacity_records`, a write to a full store overwrites a record instead,
 * erasing its bits (counted in the heat ledger's Landauer bound; the overwritten record is taken at the mean
 * record size). Records `store_reads`, `store_writes`, and after each write `store_records` and `store_bytes`.
 */
import { z } from "zod";
import { count } from "../../spec/units.ts";
import { componentFields, componentModel } from "./component.ts";
import { durationDistribution, sampleBytes, sampleNs, sizeDistribution } from "./distributions.ts";
import { lazy } from "../../spec/lazy.ts";

const operation = (defaultResponse: number) =>
  z
    .object({
      service: durationDistribution,
      /** Response size when the request does not ask for one. */
      response_bytes: sizeDistribution().prefault(defaultResponse),
    })
    .strict();

const fraction = "expected a fraction from 0 to 1";

export const storeParams = lazy(() =>
  z
    .object({
      ...componentFields,
      read: operation(4096),
      write: operation(100),
      write_fraction: z.number({ error: fraction }).min(0, { error: fraction }).max(1, { error: fraction }).default(0),
      initial_records: count(0, "expected a non-negative whole number").default(0),
      /** Bytes of each initial record. */
      initial_record_bytes: count(0, "expected a non-negative whole number of bytes").default(1000),
      /** At most this many records; a write to a full store overwrites one. */
      capacity_records: count(1).optional(),
    })
    .strict()
    .refine((p) => p.capacity_records === undefined || p.initial_records <= p.capacity_records, {
      error: "must not exceed capacity_records",
      path: ["initial_records"],
    }),
);
export type StoreParams = z.output<typeof storeParams>;

interface StoreData {
  records: number;
  bytes: number;
}

const READ = 0;
const WRITE = 1;

export const storeModel = componentModel<StoreParams, StoreData>({
  kind: "store",
  initialExtra: (params) => ({
    records: params.initial_records,
    bytes: params.initial_records * params.initial_record_bytes,
  }),
  begin(params, _data, _request, ctx) {
    const op = params.write_fraction > 0 && ctx.rng.uniform() < params.write_fraction ? WRITE : READ;
    return { workNs: sampleNs(op === WRITE ? params.write.service : params.read.service, ctx.rng), op };
  },
  finish(params, data, op, request, ctx) {
    if (op === READ) {
      ctx.record("store_reads", 1);
      return sampleBytes(params.read.response_bytes, ctx.rng);
    }
    ctx.record("store_writes", 1);
    if (params.capacity_records !== undefined && data.records >= params.capacity_records) {
      const overwritten = Math.round(data.bytes / data.records);
      ctx.eraseBits(overwritten * 8);
      data.bytes -= overwritten;
      data.records--;
    }
    data.records++;
    data.bytes += request.sizeBytes;
    ctx.record("store_records", data.records);
    ctx.record("store_bytes", data.bytes);
    return sampleBytes(params.write.response_bytes, ctx.rng);
  },
});
