/**
 * Content hashes used for config hashes, cache keys and checksums.
 *
 * @module
 */

/**
 * SHA-256 of bytes or a string, as lowercase hex.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./hash.ts";
 * console.assert((await sha256Hex("abc")).startsWith("ba7816bf"));
 * ```
 */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
