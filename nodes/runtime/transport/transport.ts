/**
 * The one interface between the runtime and the wire (nats.js keeps `core` behind `interface Transport` the same
 * way). Two implementations: NATS for real runs, in-process for single-process runs and unit tests. The run
 * protocol above it is the same for both, so both give byte-identical results.
 */

export type MessageHandler = (payload: Uint8Array, subject: string) => void;

export interface Subscription {
  unsubscribe(): void;
}

export interface Transport {
  /** Fire-and-forget publish; ordering is kept per publisher and subject. */
  publish(subject: string, payload: Uint8Array): void;
  subscribe(subject: string, handler: MessageHandler): Subscription;
  /** Pieces of messages sent in fragments that did not fit their message and were dropped, over all subscriptions. */
  droppedFragments(): number;
  /** Resolves once everything published so far has left this process. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Subjects of one run, namespaced as DESIGN.md describes, in two families that NATS permissions tell apart
 * (nodes/runtime/transport/permissions.ts): `sync.*` is control the coordinator sends every host, and `report.<n>.*`
 * what host n tells the others (hello, errors, its window report and packets to each other host, its full window
 * reports to the coordinator), so the subject proves the sender. A subject added to a family inherits that
 * family's permissions.
 */
export function subjects(runId: string) {
  const root = `dct.${runId}`;
  const report = (kind: string) => (host: number) => `${root}.report.${host}.${kind}`;
  return {
    start: `${root}.sync.start`,
    grant: `${root}.sync.grant`,
    stop: `${root}.sync.stop`,
    /** A checkpoint request (coordinator/checkpoint/) and each host's checkpoint, in chunks. */
    checkpoint: `${root}.sync.checkpoint`,
    /** The coordinator's heartbeat while a run lasts: joined hosts stop when it falls silent. */
    alive: `${root}.sync.alive`,
    hostCheckpoint: report("checkpoint"),
    hello: report("hello"),
    /**
     * Host `from`'s window report without the intervals it closed, with the packets it sent host `to` in that
     * window (a PeerWindow): one message per peer and window.
     */
    peerWindow: (from: number, to: number) => `${root}.report.${from}.window.${to}`,
    /** Every PeerWindow to host `to` (a NATS wildcard); `reportHost` reads the sender back from a subject. */
    windowsTo: (to: number) => `${root}.report.*.window.${to}`,
    /**
     * Host n's full window reports (with the intervals they closed: per-actor counters of every actor it runs), in
     * ReportBundles, for the coordinator alone: hosts are not allowed to subscribe to it.
     */
    fullWindow: report("full"),
    error: report("error"),
    /**
     * Host n's snapshot, sent by the coordinator when the run goes on from a checkpoint (restore-wire.ts): a family
     * of its own, so only host n may read it and only the coordinator send on it.
     */
    restore: (host: number) => `${root}.restore.${host}`,
  };
}
export type RunSubjects = ReturnType<typeof subjects>;

/** The host n of a `dct.<run>.report.<n>.<kind>[.<m>]` subject, or undefined for any other subject. */
export function reportHost(subject: string): number | undefined {
  const match = /\.report\.(\d{1,9})\.[a-z]+(?:\.\d{1,9})?$/.exec(subject);
  return match === null ? undefined : Number(match[1]);
}
