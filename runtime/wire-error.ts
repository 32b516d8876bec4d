// The one error a peer's bytes can cause. `fault` names the broken rule, so logs and tests can tell
// "bad magic" from "unknown table" without parsing prose.

import { ProtocolError } from "../core/messages.ts";

export type WireFault =
  | "magic"
  | "version"
  | "type"
  | "oversized"
  | "length"
  | "json"
  | "table"
  | "field"
  | "auth"
  | "sequence";

export class WireError extends ProtocolError {
  override name = "WireError";
  constructor(
    readonly fault: WireFault,
    detail: string,
  ) {
    super(`${fault}: ${detail}`);
  }
}
