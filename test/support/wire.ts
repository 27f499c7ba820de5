/** Wire round trips for tests: a packet through a PacketBatch's encoder and decoder, as between two hosts. */
import { batchEvents, encodeBatch, tryDecode, wire } from "../../nodes/runtime/wire.ts";
import { EventType } from "../../nodes/runtime/event-queue.ts";
import { packetWith, type SimPacket } from "../../nodes/runtime/packet.ts";

export function decodeBatchForTest(fields: Partial<SimPacket>): SimPacket {
  const packet = packetWith({ id: 1, flowId: 1, species: 1, dst: 1, sizeBytes: 1, ...fields });

  const bytes = encodeBatch(0, 0, 1, [
    { timeNs: 5, dst: 1, src: 0, seq: 0, type: EventType.packet, packet, link: 0, tag: 0, arg: 0 },
  ]);
  const events = batchEvents(tryDecode(wire.PacketBatch, bytes)!, 2)!;
  return events[0]!.packet!;
}
