/**
 * Messages larger than a NATS server's max_payload (1 MB unless configured) travel in fragments: the resolved
 * scenario in RunStart (22.9 MB for dc-100k), and a window report that closes a metrics interval with per-actor
 * counters of a hundred thousand actors. The sender cuts the payload into pieces that fit and marks each with a
 * header naming the sender, the message and the piece; every subscription puts the pieces of a message back
 * together and delivers it whole, once, in the place of its last piece. NATS keeps a publisher's order on a
 * subject, so a message's pieces arrive in order; pieces of several senders on one subject (packet batches to a
 * host) are told apart by the sender id. Messages that fit are sent as they are, without a header.
 */
import { randomBytes } from "node:crypto";

/** The header of a fragment: `<sender>/<message>/<piece>/<pieces>`. */
export const FRAGMENT_HEADER = "Dctwin-Fragment";
/** Room left for the header and the protocol line under max_payload. */
const HEADER_ROOM = 1024;

export interface Fragment {
  header: string;
  data: Uint8Array;
}

/** Cuts messages for one sender (one connection). */
export class Fragmenter {
  private readonly sender = randomBytes(8).toString("hex");
  private sequence = 0;

  /** The pieces of `payload` for a server with `maxPayload`, or null when the payload fits as it is. */
  split(payload: Uint8Array, maxPayload: number): Fragment[] | null {
    if (payload.length <= maxPayload) return null;
    const size = maxPayload - HEADER_ROOM;
    if (size < 1) throw new RangeError(`max_payload ${maxPayload} leaves no room for a fragment`);
    const count = Math.ceil(payload.length / size);
    const message = this.sequence++;
    return Array.from({ length: count }, (_, i) => ({
      header: `${this.sender}/${message}/${i}/${count}`,
      data: payload.subarray(i * size, Math.min((i + 1) * size, payload.length)),
    }));
  }
}

/** Puts fragments back together for one subscription. */
export class Reassembler {
  private readonly partial = new Map<string, { pieces: Uint8Array[]; count: number }>();
  /** Fragments whose header did not parse or did not fit the message they claimed (counted, dropped). */
  malformed = 0;

  /** Takes a fragment; returns the whole message when this was its last missing piece, else null. */
  add(header: string, data: Uint8Array): Uint8Array | null {
    const match = /^([0-9a-f]{16}\/\d{1,15})\/(\d{1,9})\/(\d{1,9})$/.exec(header);
    const index = Number(match?.[2]);
    const count = Number(match?.[3]);
    if (match === null || !(count >= 2 && index < count)) return this.drop();
    const key = match[1]!;
    let message = this.partial.get(key);
    if (message === undefined) {
      message = { pieces: [], count };
      this.partial.set(key, message);
    }
    // Pieces come in order (one publisher, one subject); anything else is not a fragment of this message.
    if (message.count !== count || message.pieces.length !== index) {
      this.partial.delete(key);
      return this.drop();
    }
    message.pieces.push(data.slice()); // copied: the connection may reuse its receive buffer
    if (message.pieces.length < count) return null;
    this.partial.delete(key);
    const whole = new Uint8Array(message.pieces.reduce((n, piece) => n + piece.length, 0));
    let at = 0;
    for (const piece of message.pieces) {
      whole.set(piece, at);
      at += piece.length;
    }
    return whole;
  }

  private drop(): null {
    this.malformed++;
    return null;
  }
}
