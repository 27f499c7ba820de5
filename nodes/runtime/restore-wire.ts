/**
 * A host's snapshot on its way back to the host, when a run goes on from a checkpoint (`--resume`, or a recovery
 * from a lost host): the coordinator publishes it on `restore.<n>`, the one subject only host n may read and only
 * the coordinator may send on (transport/permissions.ts), so it reaches a host on any machine — no file path is
 * shared. In chunks that fit any NATS server's payload limit (1 MiB by default), each carrying the length and
 * SHA-256 of the whole snapshot; the host takes the snapshot only once every chunk is in and the digest matches.
 * Frame: float64 boundary ns, uint32 chunk index, uint32 chunk count, uint32 snapshot bytes, 32-byte SHA-256,
 * then the chunk (little-endian).
 */
import { createHash } from "node:crypto";

const DIGEST = 32;
const HEADER = 20 + DIGEST;
export const RESTORE_CHUNK_BYTES = 512 * 1024;

/** The frames that carry `snapshot`, the state of a host at boundary `atNs`. */
export function restoreFrames(atNs: number, snapshot: Uint8Array): Uint8Array[] {
  if (snapshot.byteLength > 0xffff_ffff)
    throw new Error(`a host snapshot of ${snapshot.byteLength} bytes exceeds 4 GiB`);
  const digest = sha256(snapshot);
  const count = Math.max(1, Math.ceil(snapshot.byteLength / RESTORE_CHUNK_BYTES));
  const frames: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const chunk = snapshot.subarray(index * RESTORE_CHUNK_BYTES, (index + 1) * RESTORE_CHUNK_BYTES);
    const bytes = new Uint8Array(HEADER + chunk.byteLength);
    const view = new DataView(bytes.buffer);
    view.setFloat64(0, atNs, true);
    view.setUint32(8, index, true);
    view.setUint32(12, count, true);
    view.setUint32(16, snapshot.byteLength, true);
    bytes.set(digest, 20);
    bytes.set(chunk, HEADER);
    frames.push(bytes);
  }
  return frames;
}

/** What one frame did: still waiting for more, the snapshot complete and intact, or refused (with the reason). */
export type RestoreProgress =
  | { kind: "pending" }
  | { kind: "complete"; atNs: number; snapshot: Uint8Array }
  /** `whole`: every chunk came, but they do not make the snapshot (corrupted); else one frame was dropped. */
  | { kind: "refused"; reason: string; whole: boolean };

interface SetHeader {
  atNs: number;
  count: number;
  total: number;
  digest: Uint8Array;
}

/**
 * Puts one snapshot together from its frames. One set is collected at a time: a frame of another set (another
 * boundary or digest) starts that set and drops the incomplete one. Every refusal is counted.
 */
export class RestoreAssembler {
  /** Frames and sets refused: undecodable, inconsistent, duplicated, or a snapshot whose digest did not match. */
  refused = 0;
  private header: SetHeader | undefined;
  private chunks: (Uint8Array | undefined)[] = [];
  private received = 0;

  add(bytes: Uint8Array): RestoreProgress {
    const frame = decodeFrame(bytes);
    if (typeof frame === "string") return this.refuse(frame, false);
    const header = this.header;
    if (header === undefined || !sameSet(header, frame)) {
      const dropped = header !== undefined && this.received > 0;
      this.header = frame;
      this.chunks = new Array<Uint8Array | undefined>(frame.count).fill(undefined);
      this.received = 0;
      if (dropped) this.refused++; // the incomplete set before it
    }
    if (this.chunks[frame.index] !== undefined) return this.refuse(`chunk ${frame.index} came twice`, false);
    this.chunks[frame.index] = frame.chunk.slice();
    this.received++;
    if (this.received < frame.count) return { kind: "pending" };
    const snapshot = Buffer.concat(this.chunks as Uint8Array[]);
    this.header = undefined;
    this.chunks = [];
    this.received = 0;
    if (snapshot.byteLength !== frame.total)
      return this.refuse(`${snapshot.byteLength} bytes arrived where the snapshot has ${frame.total}`, true);
    if (!Buffer.from(sha256(snapshot)).equals(frame.digest))
      return this.refuse("its SHA-256 does not match (a chunk was corrupted on the way)", true);
    return { kind: "complete", atNs: frame.atNs, snapshot };
  }

  private refuse(reason: string, whole: boolean): RestoreProgress {
    this.refused++;
    return { kind: "refused", reason, whole };
  }
}

function decodeFrame(bytes: Uint8Array): (SetHeader & { index: number; chunk: Uint8Array }) | string {
  if (bytes.byteLength < HEADER) return `a frame of ${bytes.byteLength} bytes is shorter than its header`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER);
  const atNs = view.getFloat64(0, true);
  const index = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const total = view.getUint32(16, true);
  const chunk = bytes.subarray(HEADER);
  if (!Number.isSafeInteger(atNs) || atNs <= 0) return "a frame names no checkpoint boundary";
  if (count === 0 || index >= count || count !== Math.max(1, Math.ceil(total / RESTORE_CHUNK_BYTES)))
    return `chunk ${index} of ${count} does not fit a snapshot of ${total} bytes`;
  const expected = index < count - 1 ? RESTORE_CHUNK_BYTES : total - (count - 1) * RESTORE_CHUNK_BYTES;
  if (chunk.byteLength !== expected)
    return `chunk ${index} has ${chunk.byteLength} bytes where ${expected} belong (truncated)`;
  return { atNs, index, count, total, digest: bytes.subarray(20, HEADER), chunk };
}

function sameSet(a: SetHeader, b: SetHeader): boolean {
  return a.atNs === b.atNs && a.count === b.count && a.total === b.total && Buffer.from(a.digest).equals(b.digest);
}

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash("sha256").update(bytes).digest();
}
