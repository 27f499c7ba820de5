/**
 * A NATS operator, account and user as signed JWTs (nats-server's decentralised auth), made with nkeys as
 * `nsc` would make them, for tests of `--nats-creds` against a real nats-server in operator mode.
 */
import { createHash } from "node:crypto";
import { nkeys } from "@nats-io/nats-core";

type KeyPair = ReturnType<typeof nkeys.createUser>;

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString("base64url");

function jwt(claims: Record<string, unknown>, signer: KeyPair): string {
  const body = { ...claims, iat: Math.floor(Date.now() / 1000), iss: signer.getPublicKey() };
  const jti = createHash("sha256")
    .update(JSON.stringify(body))
    .digest("base64url")
    .toUpperCase()
    .replace(/[^A-Z2-7]/g, "")
    .slice(0, 52);
  const signing = `${b64url(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }))}.${b64url(JSON.stringify({ jti, ...body }))}`;
  return `${signing}.${b64url(signer.sign(new TextEncoder().encode(signing)))}`;
}

const UNLIMITED = { subs: -1, data: -1, payload: -1 };

export interface OperatorSetup {
  /** nats-server configuration text: operator mode with the account preloaded. */
  serverConfig: string;
  /** A creds file's text for a user of the account (JWT and seed). */
  userCreds(name: string): string;
}

export function operatorSetup(): OperatorSetup {
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  const system = nkeys.createAccount();
  const accountClaims = (key: KeyPair, name: string) =>
    jwt(
      {
        name,
        sub: key.getPublicKey(),
        nats: {
          limits: { ...UNLIMITED, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 },
          default_permissions: { pub: {}, sub: {} },
          type: "account",
          version: 2,
        },
      },
      operator,
    );
  const operatorJwt = jwt(
    {
      name: "dctwin-test",
      sub: operator.getPublicKey(),
      nats: { system_account: system.getPublicKey(), type: "operator", version: 2 },
    },
    operator,
  );
  const serverConfig = [
    `operator: ${operatorJwt}`,
    `system_account: ${system.getPublicKey()}`,
    "resolver: MEMORY",
    `resolver_preload: {\n  ${account.getPublicKey()}: ${accountClaims(account, "dctwin")}\n  ${system.getPublicKey()}: ${accountClaims(system, "SYS")}\n}`,
    "",
  ].join("\n");
  return {
    serverConfig,
    userCreds(name) {
      const user = nkeys.createUser();
      const userJwt = jwt(
        { name, sub: user.getPublicKey(), nats: { pub: {}, sub: {}, ...UNLIMITED, type: "user", version: 2 } },
        account,
      );
      const seed = new TextDecoder().decode(user.getSeed());
      return `-----BEGIN NATS USER JWT-----\n${userJwt}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n\n*************************************************************\n`;
    },
  };
}
