/**
 * Protocol-buffers wire format, just enough for ONNX: varints (int64 via bigint where needed),
 * length-delimited fields, fixed32 floats and fixed64 doubles, packed or not.
 *
 * @example
 * ```ts
 * import { ProtoReader, ProtoWriter } from "./wire.ts";
 * const w = new ProtoWriter();
 * w.int64(1, -3);
 * w.string(2, "hi");
 * const r = new ProtoReader(w.finish());
 * r.next();
 * console.assert(r.int64() === -3);
 * ```
 *
 * @module
 */

/** Wire types of the protobuf encoding. */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Appends protobuf fields to a growing buffer. */
export class ProtoWriter {
  #buf = new Uint8Array(256);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** Writes a raw varint; negative values are written as 10-byte two's complement. */
  varint(value: number | bigint): void {
    if (typeof value === "number" && value >= 0 && value < 2 ** 31) {
      this.#reserve(5);
      let v = value;
      while (v > 0x7f) {
        this.#buf[this.#len++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.#buf[this.#len++] = v;
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    this.#reserve(10);
    while (v > 0x7fn) {
      this.#buf[this.#len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buf[this.#len++] = Number(v);
  }

  /** Writes a field key. */
  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** An int32/int64/enum field. */
  int64(field: number, value: number | bigint): void {
    this.tag(field, WireType.varint);
    this.varint(value);
  }

  /** A float field (fixed32). */
  float(field: number, value: number): void {
    this.tag(field, WireType.fixed32);
    this.#reserve(4);
    new DataView(this.#buf.buffer).setFloat32(this.#len, value, true);
    this.#len += 4;
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): void {
    this.tag(field, WireType.bytes);
    this.varint(value.length);
    this.#reserve(value.length);
    this.#buf.set(value, this.#len);
    this.#len += value.length;
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): void {
    this.bytes(field, encoder.encode(value));
  }

  /** An embedded message field, written by `body` into a fresh writer. */
  message(field: number, body: (w: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    body(inner);
    this.bytes(field, inner.finish());
  }

  /** The bytes written so far. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** Error for malformed protobuf input; `offset` is the byte where it was found. */
export class ProtoError extends Error {
  constructor(readonly offset: number, message: string) {
    super(`byte ${offset}: ${message}`);
    this.name = "ProtoError";
  }
}

/** Reads protobuf fields from a buffer, one `next()` at a time. */
export class ProtoReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #pos: number;
  readonly #end: number;
  /** Field number of the current field. */
  field = 0;
  /** Wire type of the current field. */
  wireType = 0;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#pos = start;
    this.#end = end;
  }

  /** Current byte offset. */
  get offset(): number {
    return this.#pos;
  }

  /** Advances to the next field; false at the end. */
  next(): boolean {
    if (this.#pos >= this.#end) return false;
    const key = this.#varintNumber();
    this.field = Math.floor(key / 8);
    this.wireType = key & 7;
    if (this.field === 0) throw new ProtoError(this.#pos, "field number 0");
    return true;
  }

  #byte(): number {
    if (this.#pos >= this.#end) throw new ProtoError(this.#pos, "unexpected end of data");
    return this.#bytes[this.#pos++];
  }

  /** An unsigned varint as a number; fast for the common short case. */
  #varintNumber(): number {
    const start = this.#pos;
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = this.#byte();
      result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
    }
    this.#pos = start;
    return Number(this.#varintBig());
  }

  #varintBig(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.#byte();
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new ProtoError(this.#pos, "varint longer than 10 bytes");
  }

  #expect(wireType: number, what: string): void {
    if (this.wireType !== wireType) {
      throw new ProtoError(
        this.#pos,
        `field ${this.field} (${what}) has wire type ${this.wireType}`,
      );
    }
  }

  /** The current varint field as a signed 64-bit integer (as a number). */
  int64(): number {
    this.#expect(WireType.varint, "varint");
    return this.#readInt64();
  }

  #readInt64(): number {
    const start = this.#pos;
    const small = this.#varintNumber();
    if (this.#pos - start < 5) return small;
    this.#pos = start;
    return Number(BigInt.asIntN(64, this.#varintBig()));
  }

  /** The current float field. */
  float(): number {
    this.#expect(WireType.fixed32, "float");
    if (this.#pos + 4 > this.#end) throw new ProtoError(this.#pos, "unexpected end of data");
    const v = this.#view.getFloat32(this.#pos, true);
    this.#pos += 4;
    return v;
  }

  /** The current length-delimited field's bytes (a view into the input). */
  bytes(): Uint8Array {
    this.#expect(WireType.bytes, "bytes");
    const n = this.#varintNumber();
    if (this.#pos + n > this.#end) throw new ProtoError(this.#pos, `length ${n} runs past the end`);
    const out = this.#bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** The current field as a UTF-8 string. */
  string(): string {
    const at = this.#pos;
    try {
      return decoder.decode(this.bytes());
    } catch (e) {
      if (e instanceof ProtoError) throw e;
      throw new ProtoError(at, "invalid UTF-8 in a string field");
    }
  }

  /** A reader over the current embedded message. */
  message(): ProtoReader {
    const b = this.bytes();
    return new ProtoReader(b);
  }

  /** The current repeated int field, packed or not. */
  int64s(): number[] {
    if (this.wireType === WireType.varint) return [this.#readInt64()];
    const b = this.bytes();
    const r = new ProtoReader(b);
    const out: number[] = [];
    while (r.#pos < r.#end) out.push(r.#readInt64());
    return out;
  }

  /** The current repeated float field, packed or not. */
  floats(): number[] {
    if (this.wireType === WireType.fixed32) return [this.float()];
    const b = this.bytes();
    if (b.length % 4 !== 0) throw new ProtoError(this.#pos, "packed floats not a multiple of 4");
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return Array.from({ length: b.length / 4 }, (_, i) => v.getFloat32(4 * i, true));
  }

  /** The current repeated double field, packed or not. */
  doubles(): number[] {
    if (this.wireType === WireType.fixed64) {
      const v = this.#view.getFloat64(this.#pos, true);
      this.#pos += 8;
      return [v];
    }
    const b = this.bytes();
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return Array.from({ length: b.length / 8 }, (_, i) => v.getFloat64(8 * i, true));
  }

  /** Skips the current field. */
  skip(): void {
    switch (this.wireType) {
      case WireType.varint:
        this.#varintBig();
        return;
      case WireType.fixed64:
        this.#pos += 8;
        break;
      case WireType.bytes:
        this.bytes();
        return;
      case WireType.fixed32:
        this.#pos += 4;
        break;
      default:
        throw new ProtoError(this.#pos, `unsupported wire type ${this.wireType}`);
    }
    if (this.#pos > this.#end) throw new ProtoError(this.#pos, "unexpected end of data");
  }
}
