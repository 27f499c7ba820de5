/**
 * The header every binary part of a checkpoint carries (`coordinator.bin`, `host-<n>.bin`, `control.bin`, and a
 * host's snapshot on the wire, which is the same bytes), so that a part written by a dctwin of another checkpoint
 * format, a part of another kind, a foreign file or a truncated or corrupted one is refused before its snapshot is
 * decoded. Snapshots are the V8 serialization of the runtime's classes (snapshot-codec.ts): a changed class layout
 * would restore wrongly, or fail deep inside a decoder, so any change to what a checkpoint holds raises
 * CHECKPOINT_FORMAT (docs/recovery.md "Checkpoint format").
 *
 * Header (little-endian, 24 bytes): the 8 bytes `dctwinCK`, uint32 format, uint32 kind, uint32 body length,
 * uint32 CRC-32 of the body; then the body (the snapshot).
 */
import { crc32 } from "node:zlib";

/** The checkpoint format this dctwin writes and reads (meta.json's `format` and every part's header). */
export const CHECKPOINT_FORMAT = 4;

const MAGIC = new TextEncoder().encode("dctwinCK");
const HEADER = MAGIC.byteLength + 16;

export const PART_KINDS = { coordinator: 1, host: 2, control: 3 } as const;
export type PartKind = keyof typeof PART_KINDS;

/** A part that cannot be this dctwin's: its message names what is wrong (the caller adds where it came from). */
export class CheckpointPartError extends Error {
  override name = "CheckpointPartError";
  /** The format the part says it has, when it has a header. */
  readonly format: number | undefined;

  constructor(message: string, format?: number) {
    super(message);
    this.format = format;
  }
}

/** `body` (a snapshot) with the header of a `kind` part of this format. */
export function sealPart(kind: PartKind, body: Uint8Array): Uint8Array {
  if (body.byteLength > 0xffff_ffff) throw new Error(`a checkpoint part of ${body.byteLength} bytes exceeds 4 GiB`);
  const bytes = new Uint8Array(HEADER + body.byteLength);
  bytes.set(MAGIC, 0);
  const view = new DataView(bytes.buffer, MAGIC.byteLength, 16);
  view.setUint32(0, CHECKPOINT_FORMAT, true);
  view.setUint32(4, PART_KINDS[kind], true);
  view.setUint32(8, body.byteLength, true);
  view.setUint32(12, crc32(body), true);
  bytes.set(body, HEADER);
  return bytes;
}

/** The body of a `kind` part of this format, or a CheckpointPartError saying why `bytes` is not one. */
export function openPart(kind: PartKind, bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength < HEADER || !MAGIC.every((b, i) => bytes[i] === b))
    throw new CheckpointPartError(
      bytes.byteLength === 0
        ? "it is empty"
        : "it has no dctwin checkpoint header: written by a dctwin of checkpoint format 1 (which had none), or not a checkpoint part",
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset + MAGIC.byteLength, 16);
  const format = view.getUint32(0, true);
  if (format !== CHECKPOINT_FORMAT)
    throw new CheckpointPartError(`checkpoint format ${format}, this dctwin reads format ${CHECKPOINT_FORMAT}`, format);
  const found = view.getUint32(4, true);
  if (found !== PART_KINDS[kind]) {
    const name = Object.entries(PART_KINDS).find(([, k]) => k === found)?.[0] ?? `unknown (${found})`;
    throw new CheckpointPartError(`it is a ${name} part, not a ${kind} part`, format);
  }
  const length = view.getUint32(8, true);
  const body = bytes.subarray(HEADER);
  if (body.byteLength !== length)
    throw new CheckpointPartError(
      body.byteLength < length
        ? `truncated: ${body.byteLength} of its ${length} snapshot bytes are there`
        : `${body.byteLength - length} bytes too many after its ${length} snapshot bytes`,
      format,
    );
  if (crc32(body) !== view.getUint32(12, true))
    throw new CheckpointPartError("corrupted: its CRC-32 does not match its snapshot bytes", format);
  return body;
}
