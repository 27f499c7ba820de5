/**
 * The checkpoint messages. The coordinator asks for a checkpoint at an interval boundary (`sync.checkpoint`: the
 * boundary as a float64); each host answers on `report.<n>.checkpoint` with its snapshot in chunks small enough
 * for any NATS server's payload limit (1 MiB by default), or with one frame of count 0 saying why it cannot.
 * Frame: float64 boundary ns, uint32 chunk index, uint32 chunk count, then the chunk (little-endian).
 */
const HEADER = 16;
export const CHECKPOINT_CHUNK_BYTES = 512 * 1024;

export function encodeCheckpointRequest(atNs: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, atNs, true);
  return bytes;
}

export function decodeCheckpointRequest(bytes: Uint8Array): number | undefined {
  if (bytes.byteLength !== 8) return undefined;
  const atNs = new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
  return Number.isSafeInteger(atNs) && atNs > 0 ? atNs : undefined;
}

/** The frames of one host's checkpoint (or of its failure to take one). */
export function checkpointFrames(atNs: number, snapshot: Uint8Array | Error): Uint8Array[] {
  if (snapshot instanceof Error) return [frame(atNs, 0, 0, new TextEncoder().encode(snapshot.message))];
  const count = Math.max(1, Math.ceil(snapshot.byteLength / CHECKPOINT_CHUNK_BYTES));
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++)
    frames.push(frame(atNs, i, count, snapshot.subarray(i * CHECKPOINT_CHUNK_BYTES, (i + 1) * CHECKPOINT_CHUNK_BYTES)));
  return frames;
}

export interface CheckpointFrame {
  atNs: number;
  index: number;
  /** 0: the host could not take the checkpoint; `chunk` is the reason (UTF-8). */
  count: number;
  chunk: Uint8Array;
}

export function decodeCheckpointFrame(bytes: Uint8Array): CheckpointFrame | undefined {
  if (bytes.byteLength < HEADER) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER);
  const frame = {
    atNs: view.getFloat64(0, true),
    index: view.getUint32(8, true),
    count: view.getUint32(12, true),
    chunk: bytes.subarray(HEADER),
  };
  const fits = Number.isSafeInteger(frame.atNs) && (frame.count === 0 ? frame.index === 0 : frame.index < frame.count);
  return fits ? frame : undefined;
}

function frame(atNs: number, index: number, count: number, chunk: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(HEADER + chunk.byteLength);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, atNs, true);
  view.setUint32(8, index, true);
  view.setUint32(12, count, true);
  bytes.set(chunk, HEADER);
  return bytes;
}
