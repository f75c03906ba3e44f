/**
 * A minimal PNG encoder (ISO/IEC 15948, "PNG Specification, 2nd edition"):
 * 8-bit grayscale or RGB, no interlacing, every scanline with filter type 0
 * (None). Enough to save sample grids and to build data URLs for notebooks.
 *
 * @module
 */
import { crc32, deflateSync } from "node:zlib";

/** The 8-byte PNG signature (spec section 5.2). */
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** PNG stores sizes as 31-bit unsigned integers (spec section 7.1). */
const MAX_SIZE = 0x7fffffff;

/**
 * Encodes 8-bit pixels, row-major with interleaved channels, as a PNG file.
 *
 * @param pixels `height * width * channels` bytes, top row first.
 * @param options.width Image width in pixels.
 * @param options.height Image height in pixels.
 * @param options.channels 1 for grayscale (the default) or 3 for RGB.
 * @returns The PNG file bytes.
 * @throws {TypeError} when `pixels` is not a Uint8Array.
 * @throws {RangeError} when a size is invalid or `pixels` has the wrong length.
 *
 * @example
 * ```ts
 * const png = encodePng(new Uint8Array([0, 255, 255, 0]), {
 *   width: 2,
 *   height: 2,
 * });
 * await Deno.writeFile("checker.png", png);
 * ```
 */
export function encodePng(
  pixels: Uint8Array,
  options: { width: number; height: number; channels?: 1 | 3 },
): Uint8Array {
  const { width, height, channels = 1 } = options ?? {};
  if (!(pixels instanceof Uint8Array)) {
    throw new TypeError(
      `encodePng(): expected pixels to be a Uint8Array, found ${
        pixels === null
          ? "null"
          : typeof pixels === "object"
          ? (pixels as object).constructor?.name
          : typeof pixels
      }`,
    );
  }
  for (const [key, value] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_SIZE) {
      throw new RangeError(
        `encodePng(): expected ${key} to be an integer in [1, ${MAX_SIZE}], found ${value}`,
      );
    }
  }
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(
      `encodePng(): expected channels to be 1 or 3, found ${channels}`,
    );
  }
  const rowBytes = width * channels;
  if (pixels.length !== rowBytes * height) {
    throw new RangeError(
      `encodePng(): expected ${
        rowBytes * height
      } pixel bytes for ${width}x${height}x${channels}, found ${pixels.length}`,
    );
  }

  // IHDR (section 11.2.2): width, height, bit depth 8, colour type 0 (gray)
  // or 2 (RGB), compression 0 (deflate), filter method 0, no interlace.
  const ihdr = new Uint8Array(13);
  const ihdrView = new DataView(ihdr.buffer);
  ihdrView.setUint32(0, width, false);
  ihdrView.setUint32(4, height, false);
  ihdr[8] = 8;
  ihdr[9] = channels === 1 ? 0 : 2;

  // Each scanline is one filter-type byte (0 = None) and the raw row.
  const raw = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    raw.set(
      pixels.subarray(y * rowBytes, (y + 1) * rowBytes),
      y * (rowBytes + 1) + 1,
    );
  }
  const idat = deflateSync(raw);

  const chunks = [
    chunk("IHDR", ihdr),
    chunk("IDAT", new Uint8Array(idat.buffer, idat.byteOffset, idat.length)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(
    SIGNATURE.length + chunks.reduce((n, c) => n + c.length, 0),
  );
  out.set(SIGNATURE, 0);
  let offset = SIGNATURE.length;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** Length (4 bytes), type (4 ASCII letters), data, CRC of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length, false);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)) >>> 0);
  return out;
}

/** Width and height of PNG bytes, from the IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (png.length < 24 || view.getUint32(12) !== 0x49484452) {
    throw new RangeError("pngSize(): expected PNG bytes starting with an IHDR chunk");
  }
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
