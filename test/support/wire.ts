/** Wire round trips for tests: a packet through a PeerWindow's encoder and decoder, as between two hosts. */
import { decodePeerWindow, encodePeerWindow } from "../../nodes/runtime/peer-window.ts";
import { wire } from "../../nodes/runtime/wire.ts";
import { EventType } from "../../nodes/runtime/event-queue.ts";
import { packetWith, type SimPacket } from "../../nodes/runtime/packet.ts";

export function decodeBatchForTest(fields: Partial<SimPacket>): SimPacket {
  const packet = packetWith({ id: 1, flowId: 1, species: 1, dst: 1, sizeBytes: 1, ...fields });

  const report = wire.WindowReport.encode({ window: 1, host: 0 }).finish();
  const bytes = encodePeerWindow(report, [
    { timeNs: 5, dst: 1, src: 0, seq: 0, type: EventType.packet, packet, link: 0, tag: 0, arg: 0 },
  ]);
  const events = decodePeerWindow(bytes, 2)!.events;
  return events[0]!.packet!;
}
