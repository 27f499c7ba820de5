/** Parsers for CLI flag values: each rejects bad input with a message that names what it expects. */
import { InvalidArgumentError, Option, type Command } from "commander";
import { checkNatsAuth, NATS_AUTH_ENV, type NatsAuth } from "../../nodes/runtime/transport/nats-auth.ts";
import { parseDurationFlag } from "../../spec/unit-text.ts";
import { envVarName } from "./env-options.ts";

export const EXIT_FAILED = 1;
export const EXIT_INVALID = 2;
export const EXIT_INTERRUPTED = 130;

export function positiveInt(flag: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} expects a positive whole number`);
    if (n > max) throw new InvalidArgumentError(`${flag} expects at most ${max}`);
    return n;
  };
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("expects a whole number from 0 to 2^53");
  return n;
}

/** A TCP port to listen on (0: any free port). */
export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError("expects a port from 0 to 65535 (0: a free port)");
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError("expects a positive number");
  return n;
}

/** Commander's accumulator for a repeatable flag. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function durationFlag(value: string): number {
  try {
    return parseDurationFlag("--duration", value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** A duration flag in milliseconds ("30s", "2m", or seconds). */
export function durationMsFlag(value: string): number {
  try {
    return parseDurationFlag("duration", value) / 1e6;
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Exit code of a process ended by this signal, as a shell reports it (128 + the signal's number). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === "SIGTERM" ? 143 : signal === "SIGHUP" ? 129 : EXIT_INTERRUPTED;
}

/** The NATS credential and TLS flags of `dctwin run` and `dctwin host`, each also read from its DCTWIN_* variable. */
export interface NatsAuthFlags {
  natsUser?: string;
  natsPassword?: string;
  natsToken?: string;
  natsNkeySeed?: string;
  natsCreds?: string;
  natsCa?: string;
  natsCert?: string;
  natsKey?: string;
}

export function addNatsAuthOptions(command: Command): Command {
  const options: [string, string, string][] = [
    ["--nats-user <name>", "NATS user name (with --nats-password)", NATS_AUTH_ENV.user],
    [
      "--nats-password <password>",
      "NATS password; prefer the environment variable: every user of the machine can read a process's arguments",
      NATS_AUTH_ENV.password,
    ],
    ["--nats-token <token>", "NATS authentication token; prefer the environment variable", NATS_AUTH_ENV.token],
    ["--nats-nkey-seed <file>", "file holding an nkey user seed (SU...)", NATS_AUTH_ENV.nkeySeedFile],
    ["--nats-creds <file>", "NATS creds file (user JWT and nkey seed)", NATS_AUTH_ENV.credsFile],
    ["--nats-ca <file>", "CA certificate(s) (PEM) that NATS's TLS certificate must chain to", NATS_AUTH_ENV.ca],
    [
      "--nats-cert <file>",
      "client certificate (PEM) for NATS servers that verify clients (with --nats-key)",
      NATS_AUTH_ENV.cert,
    ],
    ["--nats-key <file>", "private key (PEM) of --nats-cert", NATS_AUTH_ENV.key],
  ];
  for (const [flags, description, env] of options) {
    // The variable comes from the generic DCTWIN_* rule (cli/env-options.ts); a run hands credentials to the
    // hosts it spawns under NATS_AUTH_ENV's names, so the two must be the same.
    const option = new Option(flags, description);
    if (envVarName(option) !== env)
      throw new Error(`${option.long} reads ${envVarName(option)}, but hosts are given ${env}`);
    command.addOption(option.env(env));
  }
  return command;
}

/** The flags as a NatsAuth; undefined when none is given. */
export function natsAuthFromFlags(opts: NatsAuthFlags): NatsAuth | undefined {
  const auth: NatsAuth = {
    user: opts.natsUser,
    password: opts.natsPassword,
    token: opts.natsToken,
    nkeySeedFile: opts.natsNkeySeed,
    credsFile: opts.natsCreds,
    tls:
      opts.natsCa === undefined && opts.natsCert === undefined && opts.natsKey === undefined
        ? undefined
        : { ca: opts.natsCa, cert: opts.natsCert, key: opts.natsKey },
  };
  const given = Object.entries(auth).filter(([, v]) => v !== undefined);
  if (given.length === 0) return undefined;
  checkNatsAuth(auth);
  return Object.fromEntries(given) as NatsAuth;
}
