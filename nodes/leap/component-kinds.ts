/**
 * The component kinds in leap mode (component.ts): a service has one operation; a store splits its requests
 * into writes (`write_fraction`) and reads by a binomial draw, and a served count of writes adds its records.
 */
import type { ActorContext, LeapBehaviour } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";
import type { ServiceParams } from "../models/service.ts";
import type { StoreParams } from "../models/store.ts";
import { componentLeap } from "./component.ts";

export const serviceLeap = componentLeap<ServiceParams, null>({
  operations: (params) => [{ weight: 1, service: params.service, responseBytes: params.response_bytes }],
  initialExtra: () => null,
  finish() {},
}) as LeapBehaviour;

interface StoreData {
  records: number;
  bytes: number;
}

const WRITE = 1;

/**
 * `n` writes of `size` bytes each. Below capacity a write adds a record; at capacity it overwrites one of the mean
 * record size (erasing its bits), so the bytes b_k after k overwrites follow b_{k+1} = b_k(1 − 1/R) + size, whose
 * closed form gives the bits erased by the count at once (exact mode rounds each record to whole bytes; this
 * does not).
 */
function write(params: StoreParams, data: StoreData, n: number, size: number, ctx: ActorContext): void {
  const room = params.capacity_records === undefined ? n : Math.max(0, params.capacity_records - data.records);
  const added = Math.min(n, room);
  data.records += added;
  data.bytes += added * size;
  const overwrites = n - added;
  if (overwrites === 0 || data.records === 0) return;
  const r = data.records;
  const decay = (1 - 1 / r) ** overwrites;
  const erasedBytes = overwrites * size + (data.bytes / r - size) * r * (1 - decay);
  ctx.eraseBits(Math.round(erasedBytes * 8));
  data.bytes = size * r + (data.bytes - size * r) * decay;
}

export const storeLeap = componentLeap<StoreParams, StoreData>({
  operations: (params) => [
    { weight: 1 - params.write_fraction, service: params.read.service, responseBytes: params.read.response_bytes },
    { weight: params.write_fraction, service: params.write.service, responseBytes: params.write.response_bytes },
  ],
  initialExtra: (params) => ({
    records: params.initial_records,
    bytes: params.initial_records * params.initial_record_bytes,
  }),
  finish(params, data, op, part: SimPacket, ctx) {
    const n = part.multiplicity;
    if (op !== WRITE) {
      ctx.record("store_reads", 1, n);
      return;
    }
    ctx.record("store_writes", 1, n);
    write(params, data, n, part.sizeBytes, ctx);
    ctx.record("store_records", data.records, n);
    ctx.record("store_bytes", Math.round(data.bytes), n);
  },
}) as LeapBehaviour;
