import assert from "node:assert/strict";
import { test } from "node:test";
import { nkeyAuthenticator, nkeys } from "@nats-io/nats-core";
import { nativeNkeyAuthenticator, nkeyPublicKey } from "./nkey-native.ts";

test("nkey native - the same nkey and signature as nats.js's authenticator, for user, account and server keys", () => {
  const makers = [nkeys.createUser, nkeys.createAccount, nkeys.createServer];
  for (let i = 0; i < 12; i++) {
    const seed = makers[i % makers.length]!().getSeed();
    const nonce = `nonce-${i}-${"x".repeat(i)}`;
    assert.deepEqual(nativeNkeyAuthenticator(seed)(nonce), nkeyAuthenticator(seed)(nonce));
    assert.deepEqual(nativeNkeyAuthenticator(seed)(), { nkey: nkeys.fromSeed(seed).getPublicKey(), sig: "" });
    assert.equal(nkeyPublicKey(seed), nkeys.fromSeed(seed).getPublicKey());
  }
});

test("nkey native - a signature nats.js verifies with the public key", () => {
  const pair = nkeys.createUser();
  const auth = nativeNkeyAuthenticator(pair.getSeed())("challenge") as { nkey: string; sig: string };
  const signature = Buffer.from(auth.sig, "base64");
  assert.equal(nkeys.fromPublic(auth.nkey).verify(new TextEncoder().encode("challenge"), signature), true);
  assert.equal(nkeys.fromPublic(auth.nkey).verify(new TextEncoder().encode("challengf"), signature), false);
});
