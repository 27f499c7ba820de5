/**
 * Who may publish and subscribe to what in one run, by role, as NATS permissions. Derived from the subject
 * families of `subjects()` (transport.ts): the coordinator alone sends control (`sync.>`), host n alone sends its
 * reports (`report.n.>`: its window reports and packets to the other hosts among them). Hosts hear control and the
 * window reports sent to them (they pick windows from each other's reports), never what goes to another host,
 * hellos, errors or full reports (with intervals: the coordinator's alone). Host n alone reads its snapshot (`restore.n`),
 * which the coordinator alone sends. The private nats-server enforces these per run; docs/security.md shows the same rules for an
 * external server.
 */

export interface NatsPermissions {
  publish: { allow: string[]; deny?: string[] };
  subscribe: { allow: string[] };
}

export function coordinatorPermissions(runId: string): NatsPermissions {
  const root = `dct.${runId}`;
  return {
    publish: { allow: [`${root}.sync.>`, `${root}.restore.*`] },
    subscribe: { allow: [`${root}.report.*.>`] },
  };
}

export function hostPermissions(runId: string, host: number): NatsPermissions {
  const root = `dct.${runId}`;
  return {
    publish: { allow: [`${root}.report.${host}.>`] },
    subscribe: { allow: [`${root}.sync.>`, `${root}.report.*.window.${host}`, `${root}.restore.${host}`] },
  };
}

/** The JetStream object store bucket that holds a run's checkpoints (coordinator/checkpoint/jetstream-store.ts). */
export function checkpointBucket(runId: string): string {
  return `dctwin-checkpoints-${runId}`;
}

/**
 * The coordinator's checkpoint store on a private server: the JetStream API, its run's object store bucket and
 * replies to its own requests. A user of its own, so neither the coordinator's run subjects nor any host's reach
 * JetStream.
 */
export function checkpointStorePermissions(runId: string): NatsPermissions {
  return {
    publish: { allow: ["$JS.API.>", "$JS.FC.>", `$O.${checkpointBucket(runId)}.>`] },
    subscribe: { allow: ["_INBOX.>"] },
  };
}
