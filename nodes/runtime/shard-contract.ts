/** What a shard and its actors' context share: the packet accounting, and the error for a broken model rule. */

/** A model broke a rule of the runtime (a bug in the model, not a simulated failure). */
export class ModelContractError extends Error {
  override name = "ModelContractError";
}

/** Cumulative packet accounting of the shard. */
export interface ShardCounters {
  injected: number;
  consumed: number;
  dropped: number;
  queued: number;
  inFlightLocal: number;
  sentRemote: number;
  receivedRemote: number;
}
