import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from "node:zlib";
import type { TransferState } from "../domain/state.js";

/**
 * The folded state (and each stored event) is kept Brotli-compressed with a 4 MB window: the
 * same GUIDs recur in several maps of the state far apart, which gzip's 32 KB window cannot
 * see, so a transfer at the 2,000-id bound takes about a quarter less than with gzip, and an
 * event item costs fewer write units (README "Data model"). Values written gzip-compressed by
 * earlier versions are still read.
 */
export function compressJson(value: unknown): Uint8Array {
  const json = JSON.stringify(value);
  return brotliCompressSync(json, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 4,
      [constants.BROTLI_PARAM_LGWIN]: 22,
      [constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(json),
    },
  });
}

export function decompressJson(bytes: Uint8Array): unknown {
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const json = gzip ? gunzipSync(bytes) : brotliDecompressSync(bytes);
  return JSON.parse(json.toString("utf8"));
}

export const encodeState = (state: TransferState): Uint8Array => compressJson(state);

export const decodeState = (bytes: Uint8Array): TransferState =>
  decompressJson(bytes) as TransferState;
