/**
 * nkey authentication signed with Node's own Ed25519 (OpenSSL) instead of nats.js's nkeyAuthenticator, which
 * derives the key pair in JavaScript (tweetnacl) three times per connection: tens of milliseconds of cold code in
 * every host's start-up. The nkey and signature are the same bytes (Ed25519 signatures are deterministic;
 * nkey-native.test.ts compares them with nats.js's). A seed is `base32(prefix(2) · seed(32) · crc16(2))`, a public
 * key `base32(prefix(1) · key(32) · crc16(2))` (the nkeys format); the seed was checked by nkeys.fromSeed already.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign } from "node:crypto";
import type { Authenticator } from "@nats-io/nats-core";

/** The PKCS #8 header of an Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function nativeNkeyAuthenticator(seedText: Uint8Array): Authenticator {
  const { key, nkey } = keyPair(seedText);
  return (nonce?: string) => ({
    nkey,
    sig: nonce ? sign(null, Buffer.from(nonce), key).toString("base64") : "",
  });
}

/** The public key (`U...` for a user) of an nkey seed (`SU...`). */
export function nkeyPublicKey(seedText: Uint8Array): string {
  return keyPair(seedText).nkey;
}

function keyPair(seedText: Uint8Array): { key: KeyObject; nkey: string } {
  const decoded = base32Decode(new TextDecoder().decode(seedText));
  const role = ((decoded[0]! & 0b111) << 5) | (decoded[1]! >> 3); // the public prefix byte, packed after "S"
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, decoded.subarray(2, 34)]),
    format: "der",
    type: "pkcs8",
  });
  const publicKey = Buffer.from(createPublicKey(key).export({ format: "jwk" }).x!, "base64url");
  return { key, nkey: encodeKey(role, publicKey) };
}

function encodeKey(prefix: number, key: Uint8Array): string {
  const raw = new Uint8Array(key.length + 3);
  raw[0] = prefix;
  raw.set(key, 1);
  const crc = crc16(raw.subarray(0, key.length + 1));
  raw[key.length + 1] = crc & 0xff;
  raw[key.length + 2] = crc >> 8;
  return base32Encode(raw);
}

/** CRC-16/XMODEM (polynomial 0x1021, initial 0), as nkeys checks keys. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    for (; bits >= 5; bits -= 5) out += BASE32[(value >>> (bits - 5)) & 31];
  }
  return bits > 0 ? out + BASE32[(value << (5 - bits)) & 31] : out;
}

function base32Decode(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    value = (value << 5) | BASE32.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}
