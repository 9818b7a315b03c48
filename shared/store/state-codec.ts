import { gunzipSync, gzipSync } from "node:zlib";
import type { TransferState } from "../domain/state.js";

/**
 * The folded state is stored gzip-compressed: 500 originals with long names stay far below the
 * 400 KB item limit (the JSON compresses about tenfold), and history lives in separate items.
 */
export function encodeState(state: TransferState): Uint8Array {
  return gzipSync(JSON.stringify(state));
}

export function decodeState(bytes: Uint8Array): TransferState {
  return JSON.parse(gunzipSync(bytes).toString("utf8")) as TransferState;
}
