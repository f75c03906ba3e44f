/**
 * The IDX file format of LeCun's MNIST distribution: a reader and a writer.
 *
 * An IDX file is a 4-byte magic number, one big-endian uint32 per dimension,
 * then the values in row-major order:
 *
 * ```text
 * byte 0-1  0x00 0x00
 * byte 2    type code: 0x08 unsigned byte, 0x0D float32 (others exist)
 * byte 3    number of dimensions (ndim)
 * then      ndim big-endian uint32 sizes
 * then      product(sizes) values, big-endian
 * ```
 *
 * MNIST ships the files uncompressed; Fashion-MNIST and most mirrors ship them
 * gzipped. {@linkcode parseIdx} recognises gzip by its magic bytes, never by
 * the file name, so a renamed file still loads.
 *
 * @module
 */
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

/** An n-dimensional array read from, or to be written to, an IDX file. */
export interface IdxArray {
  /** The element type; IDX type code 0x08 or 0x0D. */
  dtype: "uint8" | "float32";
  /** The sizes of the dimensions, outermost first; every size is ≥ 1. */
  shape: number[];
  /** The values in row-major order; `data.length` is the product of `shape`. */
  data: Uint8Array | Float32Array;
}

/**
 * A malformed IDX file or array. The message is a single line that starts
 * with the file name (or the function name when there is no file).
 */
export class IdxError extends Error {
  /** The file (or function) the error is about. */
  readonly file: string;

  /** Builds `"<file>: <detail>"`, folded onto one line. */
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`.replace(/\s*[\r\n]+\s*/g, " "));
    this.name = "IdxError";
    this.file = file;
  }
}

/** The gzip magic bytes (RFC 1952, section 2.3.1). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** IDX type codes; only the first two are supported. */
const TYPE_UINT8 = 0x08;
const TYPE_FLOAT32 = 0x0d;
/** Names of the type codes that the format defines but this reader does not. */
const OTHER_TYPES: Record<number, string> = {
  0x09: "int8",
  0x0b: "int16",
  0x0c: "int32",
  0x0e: "float64",
};

/** The largest dimension size that fits the format's uint32 field. */
const MAX_DIM = 0xffffffff;

/**
 * Parses the bytes of an IDX file, gunzipping them first when they start with
 * the gzip magic bytes 0x1f 0x8b.
 *
 * The header is checked strictly: bytes 0 and 1 must be zero, the type code
 * must be 0x08 (uint8) or 0x0D (float32), there must be at least one
 * dimension and every dimension must be positive, and the payload must be
 * exactly `product(shape) * bytesPerElement` bytes long (a truncated file
 * and a file with trailing bytes are both rejected).
 *
 * @param bytes The file contents, raw or gzipped.
 * @param options.name The file name used in error messages.
 * @returns A fresh array that does not share memory with `bytes`.
 * @throws {IdxError} when the data is not a valid IDX file.
 *
 * @example
 * ```ts
 * const arr = parseIdx(await Deno.readFile("t10k-labels-idx1-ubyte"), {
 *   name: "t10k-labels-idx1-ubyte",
 * });
 * arr.shape; // [10000]
 * ```
 */
export function parseIdx(
  bytes: Uint8Array,
  options: { name: string; dims?: { count: number; what: string } },
): IdxArray {
  const name = options.name;
  let raw = bytes;
  if (
    raw.length >= 2 && raw[0] === GZIP_MAGIC[0] && raw[1] === GZIP_MAGIC[1]
  ) {
    let out: Uint8Array;
    try {
      out = gunzipSync(raw);
    } catch (err) {
      throw new IdxError(
        name,
        `corrupt gzip data: expected a valid gzip stream (the file starts with 0x1f 0x8b), found ${
          err instanceof Error ? err.message : String(err)
        }`,
      );
    }
    // gunzipSync returns a Node Buffer, whose slice() does not copy; view it
    // as a plain Uint8Array.
    raw = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  if (raw.length < 4) {
    throw new IdxError(
      name,
      `truncated header: expected at least 4 bytes, found ${raw.length}`,
    );
  }
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new IdxError(
      name,
      `bad magic number: expected the first two bytes to be 0x00 0x00, found ${hex(raw[0])} ${
        hex(raw[1])
      }`,
    );
  }
  const typeCode = raw[2];
  let dtype: IdxArray["dtype"];
  if (typeCode === TYPE_UINT8) dtype = "uint8";
  else if (typeCode === TYPE_FLOAT32) dtype = "float32";
  else {
    const known = OTHER_TYPES[typeCode];
    throw new IdxError(
      name,
      `unsupported type code: expected 0x08 (uint8) or 0x0D (float32), found ${hex(typeCode)}${
        known ? ` (${known})` : " (not an IDX type)"
      }`,
    );
  }
  const ndim = raw[3];
  if (ndim < 1) {
    throw new IdxError(
      name,
      `bad number of dimensions: expected at least 1, found ${ndim}`,
    );
  }
  // Checked before the sizes, which a wrong dimension byte turns into nonsense.
  if (options.dims && ndim !== options.dims.count) {
    const { count, what } = options.dims;
    throw new IdxError(
      name,
      `bad number of dimensions: ${what} has ${count} dimension${
        count === 1 ? "" : "s"
      }, and this header claims ${ndim}`,
    );
  }
  const headerBytes = 4 + 4 * ndim;
  if (raw.length < headerBytes) {
    throw new IdxError(
      name,
      `truncated header: expected ${headerBytes} bytes for ${ndim} dimensions, found ${raw.length}`,
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const size = view.getUint32(4 + 4 * i, false);
    if (size === 0) {
      throw new IdxError(
        name,
        `bad shape: expected every dimension to be at least 1, found dimension ${i} = 0 in [${
          readDims(view, ndim).join(", ")
        }]`,
      );
    }
    shape.push(size);
    count *= size;
  }
  const itemBytes = dtype === "uint8" ? 1 : 4;
  const expected = count * itemBytes;
  const found = raw.length - headerBytes;
  if (found !== expected) {
    const kind = found < expected ? "truncated payload" : "trailing bytes";
    throw new IdxError(
      name,
      `${kind}: expected ${expected} payload bytes for ${dtype} shape [${
        shape.join(", ")
      }], found ${found}`,
    );
  }

  if (dtype === "uint8") {
    return {
      dtype,
      shape,
      data: raw.slice(headerBytes, headerBytes + count),
    };
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    data[i] = view.getFloat32(headerBytes + 4 * i, false);
  }
  return { dtype, shape, data };
}

/**
 * Encodes an array as uncompressed IDX bytes (big-endian header and values).
 *
 * @throws {IdxError} when `dtype` does not match the data's array type, the
 * shape is not 1 to 255 sizes in [1, 2^32 - 1], or `data.length` differs from
 * the product of the shape.
 *
 * @example
 * ```ts
 * const bytes = encodeIdx({
 *   dtype: "uint8",
 *   shape: [2, 2],
 *   data: new Uint8Array([0, 1, 2, 3]),
 * });
 * bytes.length; // 4 + 2 * 4 + 4 = 16
 * ```
 */
export function encodeIdx(arr: IdxArray, options: { name?: string } = {}): Uint8Array {
  return encodeNamed(arr, options.name ?? "encodeIdx()");
}

/**
 * Reads and parses an IDX file (raw or gzipped). With `dims`, a header whose
 * dimension count differs is refused first, saying what the file should be.
 *
 * @throws {IdxError} when the file is missing, unreadable or malformed; the
 * message names the path.
 */
export async function readIdx(
  path: string | URL,
  options: { dims?: { count: number; what: string } } = {},
): Promise<IdxArray> {
  const name = displayPath(path);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new IdxError(name, "file not found: expected an IDX file there");
    }
    throw new IdxError(
      name,
      `cannot read file: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return parseIdx(bytes, { name, dims: options.dims });
}

function encodeNamed(arr: IdxArray, name: string): Uint8Array {
  if (arr === null || typeof arr !== "object") {
    throw new IdxError(
      name,
      `bad array: expected an object with dtype, shape and data, found ${describe(arr)}`,
    );
  }
  const { dtype, shape, data } = arr;
  if (dtype !== "uint8" && dtype !== "float32") {
    throw new IdxError(
      name,
      `bad dtype: expected "uint8" or "float32", found ${JSON.stringify(dtype)}`,
    );
  }
  const dataType = data instanceof Float32Array
    ? "Float32Array"
    : data instanceof Uint8Array
    ? "Uint8Array"
    : describe(data);
  const wanted = dtype === "uint8" ? "Uint8Array" : "Float32Array";
  if (dataType !== wanted) {
    throw new IdxError(
      name,
      `dtype mismatch: expected ${wanted} data for dtype "${dtype}", found ${dataType}`,
    );
  }
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 255) {
    throw new IdxError(
      name,
      `bad shape: expected 1 to 255 dimensions, found ${
        Array.isArray(shape) ? shape.length : describe(shape)
      }`,
    );
  }
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const size = shape[i];
    if (!Number.isInteger(size) || size < 1 || size > MAX_DIM) {
      throw new IdxError(
        name,
        `bad shape: expected every dimension to be an integer in [1, ${MAX_DIM}], found dimension ${i} = ${size}`,
      );
    }
    count *= size;
  }
  if (data.length !== count) {
    throw new IdxError(
      name,
      `length mismatch: expected ${count} values for shape [${
        shape.join(", ")
      }], found ${data.length}`,
    );
  }

  const headerBytes = 4 + 4 * shape.length;
  const itemBytes = dtype === "uint8" ? 1 : 4;
  const out = new Uint8Array(headerBytes + count * itemBytes);
  const view = new DataView(out.buffer);
  out[2] = dtype === "uint8" ? TYPE_UINT8 : TYPE_FLOAT32;
  out[3] = shape.length;
  shape.forEach((size, i) => view.setUint32(4 + 4 * i, size, false));
  if (dtype === "uint8") {
    out.set(data, headerBytes);
  } else {
    for (let i = 0; i < count; i++) {
      view.setFloat32(headerBytes + 4 * i, data[i], false);
    }
  }
  return out;
}

function readDims(view: DataView, ndim: number): number[] {
  return Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
}

function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}

function displayPath(path: string | URL): string {
  return path instanceof URL ? fileURLToPath(path) : path;
}
