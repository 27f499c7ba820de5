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
  /** Resolves once everything published so far has left this process. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Subjects of one run, namespaced as DESIGN.md describes. */
export function subjects(runId: string) {
  const root = `dct.${runId}`;
  return {
    hello: `${root}.sync.hello`,
    start: `${root}.sync.start`,
    grant: `${root}.sync.grant`,
    report: `${root}.sync.report`,
    error: `${root}.sync.error`,
    stop: `${root}.sync.stop`,
    hostData: (host: number) => `${root}.host.${host}.data`,
  };
}
export type RunSubjects = ReturnType<typeof subjects>;
