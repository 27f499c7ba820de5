/**
 * How a NATS client proves who it is: user and password, a token, an nkey seed file or a creds file (JWT), plus
 * TLS (CA, client certificate and key). Turned into nats.js connection options here; files are read once, and a
 * file's content never appears in an error message.
 */
import { readBoundedFile } from "../files/bounded-file.ts";
import { resolve } from "node:path";
import { credsAuthenticator, nkeys, type ConnectionOptions } from "@nats-io/nats-core";
import { nativeNkeyAuthenticator } from "./nkey-native.ts";

export interface NatsAuth {
  user?: string;
  password?: string;
  token?: string;
  /** File holding an nkey user seed (`SU...`). */
  nkeySeedFile?: string;
  /** An nkey user seed in memory (the coordinator of a private nats-server). */
  nkeySeed?: Uint8Array;
  /** A NATS creds file (user JWT and seed). */
  credsFile?: string;
  tls?: { ca?: string; cert?: string; key?: string };
}

/** A credential or TLS option that cannot be used (a missing file, two ways to log in): invalid input. */
export class NatsAuthError extends Error {
  override name = "NatsAuthError";
}

/** Environment variables that carry each option to a `dctwin host` process (never its argv). */
export const NATS_AUTH_ENV = {
  user: "DCTWIN_NATS_USER",
  password: "DCTWIN_NATS_PASSWORD",
  token: "DCTWIN_NATS_TOKEN",
  nkeySeedFile: "DCTWIN_NATS_NKEY_SEED",
  credsFile: "DCTWIN_NATS_CREDS",
  ca: "DCTWIN_NATS_CA",
  cert: "DCTWIN_NATS_CERT",
  key: "DCTWIN_NATS_KEY",
} as const;

const SECRET_FILE_LIMIT = 64 * 1024;

/** Checks that at most one way to log in is given and that TLS files come as a usable set. */
export function checkNatsAuth(auth: NatsAuth): void {
  const ways = [
    auth.user !== undefined,
    auth.token !== undefined,
    auth.nkeySeedFile !== undefined || auth.nkeySeed !== undefined,
    auth.credsFile !== undefined,
  ].filter(Boolean).length;
  if (ways > 1)
    throw new NatsAuthError(
      "give one of --nats-user/--nats-password, --nats-token, --nats-nkey-seed and --nats-creds, not several",
    );
  if (auth.password !== undefined && auth.user === undefined)
    throw new NatsAuthError("--nats-password needs --nats-user");
  if (auth.user !== undefined && auth.password === undefined)
    throw new NatsAuthError("--nats-user needs --nats-password (or DCTWIN_NATS_PASSWORD)");
  if ((auth.tls?.cert === undefined) !== (auth.tls?.key === undefined))
    throw new NatsAuthError("--nats-cert and --nats-key go together");
}

/** nats.js options for `auth` (reads seed and creds files now, so a bad file fails before anything runs). */
export function natsConnectionOptions(auth: NatsAuth): Partial<ConnectionOptions> {
  checkNatsAuth(auth);
  const options: Partial<ConnectionOptions> = {};
  if (auth.user !== undefined) Object.assign(options, { user: auth.user, pass: auth.password });
  if (auth.token !== undefined) options.token = auth.token;
  if (auth.nkeySeed !== undefined || auth.nkeySeedFile !== undefined) {
    const seed = auth.nkeySeed ?? readSecret("--nats-nkey-seed", auth.nkeySeedFile!);
    try {
      nkeys.fromSeed(seed); // refuse a bad seed now rather than as a refused connection later
    } catch {
      throw new NatsAuthError(`--nats-nkey-seed: ${auth.nkeySeedFile ?? "the seed"} does not hold an nkey user seed`);
    }
    options.authenticator = nativeNkeyAuthenticator(seed);
  }
  if (auth.credsFile !== undefined)
    options.authenticator = credsAuthenticator(readSecret("--nats-creds", auth.credsFile));
  const tls = auth.tls;
  if (tls !== undefined && (tls.ca ?? tls.cert) !== undefined) {
    for (const [flag, file] of [
      ["--nats-ca", tls.ca],
      ["--nats-cert", tls.cert],
      ["--nats-key", tls.key],
    ] as const)
      if (file !== undefined) readSecret(flag, file);
    options.tls = {
      ...(tls.ca === undefined ? {} : { caFile: resolve(tls.ca) }),
      ...(tls.cert === undefined ? {} : { certFile: resolve(tls.cert), keyFile: resolve(tls.key!) }),
    };
  }
  return options;
}

/** The environment that hands `auth` to a child `dctwin host` (paths made absolute; secrets stay out of argv). */
export function natsAuthEnv(auth: NatsAuth): Record<string, string> {
  const env: Record<string, string> = {};
  if (auth.user !== undefined) env[NATS_AUTH_ENV.user] = auth.user;
  if (auth.password !== undefined) env[NATS_AUTH_ENV.password] = auth.password;
  if (auth.token !== undefined) env[NATS_AUTH_ENV.token] = auth.token;
  if (auth.nkeySeedFile !== undefined) env[NATS_AUTH_ENV.nkeySeedFile] = resolve(auth.nkeySeedFile);
  if (auth.credsFile !== undefined) env[NATS_AUTH_ENV.credsFile] = resolve(auth.credsFile);
  if (auth.tls?.ca !== undefined) env[NATS_AUTH_ENV.ca] = resolve(auth.tls.ca);
  if (auth.tls?.cert !== undefined) env[NATS_AUTH_ENV.cert] = resolve(auth.tls.cert);
  if (auth.tls?.key !== undefined) env[NATS_AUTH_ENV.key] = resolve(auth.tls.key);
  return env;
}

/** Reads a small regular file (a seed, creds, a certificate); errors name the flag and file, never the content. */
function readSecret(flag: string, file: string): Uint8Array {
  const read = readBoundedFile(file, SECRET_FILE_LIMIT);
  if ("failure" in read)
    throw new NatsAuthError(
      read.failure === "unreadable"
        ? `${flag}: cannot read ${file} (${read.code})`
        : read.failure === "not a regular file"
          ? `${flag}: ${file} is not a regular file`
          : `${flag}: ${file} is larger than ${SECRET_FILE_LIMIT / 1024} KiB`,
    );
  return new TextEncoder().encode(new TextDecoder().decode(read.bytes).trim());
}
