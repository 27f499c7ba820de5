/**
 * Per-run NATS identities for a private nats-server: one nkey for the coordinator and one per host, each allowed
 * only its role's subjects (nodes/runtime/transport/permissions.ts). The server's configuration holds only public
 * keys; the hosts' seeds go to files in a directory only this user can read, handed to `dctwin host` through the
 * environment. Nobody else can connect: there is no anonymous user.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nkeys } from "@nats-io/nats-core";
import type { NatsAuth } from "../nodes/runtime/transport/nats-auth.ts";
import { nkeyPublicKey } from "../nodes/runtime/transport/nkey-native.ts";
import {
  checkpointStorePermissions,
  coordinatorPermissions,
  hostPermissions,
  type NatsPermissions,
} from "../nodes/runtime/transport/permissions.ts";

export interface RunCredentials {
  /** nats-server configuration (authorization block) to start the private server with. */
  serverConfig: string;
  coordinator: NatsAuth;
  /** hosts[n]: what host n logs in with (a seed file). */
  hosts: NatsAuth[];
  /** The coordinator's JetStream checkpoint store (a user of its own). */
  store: NatsAuth;
  /** Deletes the seed files. */
  remove(): void;
}

export function createRunCredentials(runId: string, hostCount: number): RunCredentials {
  const dir = mkdtempSync(join(tmpdir(), "dctwin-creds-"), {}); // mkdtemp creates it with mode 0700
  const users: { nkey: string; permissions: NatsPermissions }[] = [];
  const coordinatorKey = nkeys.createUser();
  users.push({ nkey: nkeyPublicKey(coordinatorKey.getSeed()), permissions: coordinatorPermissions(runId) });
  const storeKey = nkeys.createUser();
  users.push({ nkey: nkeyPublicKey(storeKey.getSeed()), permissions: checkpointStorePermissions(runId) });
  const hosts: NatsAuth[] = [];
  for (let host = 0; host < hostCount; host++) {
    const key = nkeys.createUser();
    users.push({ nkey: nkeyPublicKey(key.getSeed()), permissions: hostPermissions(runId, host) });
    const file = join(dir, `host-${host}.nk`);
    writeFileSync(file, key.getSeed(), { mode: 0o600 });
    hosts.push({ nkeySeedFile: file });
  }
  return {
    serverConfig: natsServerAuthorization(users),
    coordinator: { nkeySeed: coordinatorKey.getSeed() },
    hosts,
    store: { nkeySeed: storeKey.getSeed() },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The authorization block of a nats-server configuration (the format accepts JSON). */
export function natsServerAuthorization(users: { nkey: string; permissions: NatsPermissions }[]): string {
  return `authorization: ${JSON.stringify({ users }, null, 2)}\n`;
}
