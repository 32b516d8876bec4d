// Bytes a message occupies on the wire, as the simulator charges them to the network. Mirrors the runtime's
// frame layout: a fixed frame header, fixed fields per message, raw values for rows.

import type { ClientMessage, ServerMessage } from "../core/messages.ts";
import { rowPayloadBytes, storedCount } from "../core/rows.ts";
import type { TableSpec } from "../core/tables.ts";

const FRAME_HEADER_BYTES = 12;
const BATCH_FIELDS_BYTES = 16;
const ROW_ENTRY_BYTES = 12;
const READ_BYTES = 24;
const ROW_REPLY_FIELDS_BYTES = 28;

export function messageBytes(message: ClientMessage | ServerMessage, tables: Map<number, TableSpec>): number {
  switch (message.type) {
    case "read":
      return FRAME_HEADER_BYTES + READ_BYTES;
    case "batch": {
      let bytes = FRAME_HEADER_BYTES + BATCH_FIELDS_BYTES;
      for (const r of message.rows) {
        bytes += ROW_ENTRY_BYTES + rowPayloadBytes(r.delta, tables.get(r.table)!.valueType);
      }
      return bytes;
    }
    case "row":
      return (
        FRAME_HEADER_BYTES +
        ROW_REPLY_FIELDS_BYTES +
        rowPayloadBytes(message.values, tables.get(message.table)!.valueType)
      );
  }
}

/** Values a shard touches to handle a message: what its per-value service cost is charged on. */
export function messageValues(message: ClientMessage | ServerMessage): number {
  if (message.type === "read") return 0;
  if (message.type === "row") return storedCount(message.values);
  let n = 0;
  for (const r of message.rows) n += storedCount(r.delta);
  return n;
}
