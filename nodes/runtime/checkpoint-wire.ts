/**
 * The checkpoint messages. The coordinator asks for a checkpoint at an interval boundary (`sync.checkpoint`); each
 * host answers on `report.<n>.checkpoint` with its snapshot in chunks small enough for any NATS server's payload
 * limit (1 MiB by default), or with one frame of count 0 saying why it cannot.
 *
 * Every message starts with the magic "dcck" and the wire version (uint32), a prefix every version keeps: a message
 * without the magic is malformed (counted and dropped), and one of another version is read as far as its version,
 * so a coordinator and host of different versions refuse each other naming both (the snapshot inside has its own
 * format, checkpoint-part.ts). Little-endian. Request: prefix, float64 boundary ns. Answer: prefix, float64
 * boundary ns, uint32 chunk index, uint32 chunk count, then the chunk.
 */
const MAGIC = Uint8Array.of(0x64, 0x63, 0x63, 0x6b); // "dcck"
const PREFIX = 8;
const REQUEST_BYTES = PREFIX + 8;
const FRAME_HEADER = PREFIX + 16;

/** The layout of the checkpoint request and answer frames; raised on any change to it. */
export const CHECKPOINT_WIRE_VERSION = 1;
export const CHECKPOINT_CHUNK_BYTES = 512 * 1024;

/** A message of another wire version: only its version is read. */
export interface OtherVersion {
  kind: "other-version";
  version: number;
}

export interface CheckpointRequest {
  kind: "request";
  atNs: number;
}

export interface CheckpointFrame {
  kind: "frame";
  atNs: number;
  index: number;
  /** 0: the host could not take the checkpoint; `chunk` is the reason (UTF-8). */
  count: number;
  chunk: Uint8Array;
}

/** Why a pair of another version is refused, naming both versions. */
export function versionMismatch(sender: string, version: number, receiver: string): string {
  return `${sender} speaks checkpoint wire version ${version}, ${receiver} version ${CHECKPOINT_WIRE_VERSION}: run the same dctwin version on the coordinator and every host`;
}

/** `version`: only tests give another (to stand for a coordinator or host of another dctwin). */
export function encodeCheckpointRequest(atNs: number, version = CHECKPOINT_WIRE_VERSION): Uint8Array {
  const { bytes, view } = message(REQUEST_BYTES, version);
  view.setFloat64(PREFIX, atNs, true);
  return bytes;
}

/** The request, or the version of a request of another version; undefined when malformed. */
export function decodeCheckpointRequest(bytes: Uint8Array): CheckpointRequest | OtherVersion | undefined {
  const version = readVersion(bytes);
  if (version === undefined) return undefined;
  if (version !== CHECKPOINT_WIRE_VERSION) return { kind: "other-version", version };
  if (bytes.byteLength !== REQUEST_BYTES) return undefined;
  const atNs = new DataView(bytes.buffer, bytes.byteOffset, REQUEST_BYTES).getFloat64(PREFIX, true);
  return Number.isSafeInteger(atNs) && atNs > 0 ? { kind: "request", atNs } : undefined;
}

/** The frames of one host's checkpoint (or of its failure to take one). */
export function checkpointFrames(
  atNs: number,
  snapshot: Uint8Array | Error,
  version = CHECKPOINT_WIRE_VERSION,
): Uint8Array[] {
  if (snapshot instanceof Error) return [frame(atNs, 0, 0, new TextEncoder().encode(snapshot.message), version)];
  const count = Math.max(1, Math.ceil(snapshot.byteLength / CHECKPOINT_CHUNK_BYTES));
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const chunk = snapshot.subarray(i * CHECKPOINT_CHUNK_BYTES, (i + 1) * CHECKPOINT_CHUNK_BYTES);
    frames.push(frame(atNs, i, count, chunk, version));
  }
  return frames;
}

/** The frame, or the version of a frame of another version; undefined when malformed. */
export function decodeCheckpointFrame(bytes: Uint8Array): CheckpointFrame | OtherVersion | undefined {
  const version = readVersion(bytes);
  if (version === undefined) return undefined;
  if (version !== CHECKPOINT_WIRE_VERSION) return { kind: "other-version", version };
  if (bytes.byteLength < FRAME_HEADER) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, FRAME_HEADER);
  const frame: CheckpointFrame = {
    kind: "frame",
    atNs: view.getFloat64(PREFIX, true),
    index: view.getUint32(PREFIX + 8, true),
    count: view.getUint32(PREFIX + 12, true),
    chunk: bytes.subarray(FRAME_HEADER),
  };
  const fits = Number.isSafeInteger(frame.atNs) && (frame.count === 0 ? frame.index === 0 : frame.index < frame.count);
  return fits ? frame : undefined;
}

function frame(atNs: number, index: number, count: number, chunk: Uint8Array, version: number): Uint8Array {
  const { bytes, view } = message(FRAME_HEADER + chunk.byteLength, version);
  view.setFloat64(PREFIX, atNs, true);
  view.setUint32(PREFIX + 8, index, true);
  view.setUint32(PREFIX + 12, count, true);
  bytes.set(chunk, FRAME_HEADER);
  return bytes;
}

/** A message of `size` bytes with its prefix written. */
function message(size: number, version: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(4, version, true);
  return { bytes, view };
}

/** The version of a message that starts with the prefix; undefined otherwise. */
function readVersion(bytes: Uint8Array): number | undefined {
  if (bytes.byteLength < PREFIX || MAGIC.some((b, i) => bytes[i] !== b)) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, PREFIX).getUint32(4, true);
}
