import { assert, assertEquals, assertThrows } from "@std/assert";
import { inflateSync } from "node:zlib";
import { join } from "@std/path";
import { encodePng } from "../lib/viz/png.ts";

interface Chunk {
  type: string;
  data: Uint8Array;
  crc: number;
}

/** Splits a PNG file into its chunks (after the 8-byte signature). */
function readChunks(png: Uint8Array): Chunk[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = view.getUint32(offset, false);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    const data = png.subarray(offset + 8, offset + 8 + length);
    const crc = view.getUint32(offset + 8 + length, false);
    chunks.push({ type, data, crc });
    offset += 12 + length;
  }
  assertEquals(offset, png.length, "chunks should end exactly at the file end");
  return chunks;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const hasPython = await new Deno.Command("python3", {
  args: ["-c", "import zlib, struct"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);

Deno.test("encodePng() writes the signature, IHDR, IDAT and IEND with valid CRCs", () => {
  const png = encodePng(new Uint8Array(5 * 3), { width: 5, height: 3 });
  assertEquals(Array.from(png.subarray(0, 8)), SIGNATURE);
  const chunks = readChunks(png);
  assertEquals(chunks.map((c) => c.type), ["IHDR", "IDAT", "IEND"]);
  assertEquals(chunks[2].data.length, 0);
  // The CRC of an empty IEND chunk is the well-known AE 42 60 82 (the
  // Python test below checks every chunk's CRC with zlib.crc32).
  assertEquals(chunks[2].crc, 0xae426082);
});

Deno.test("encodePng() writes IHDR fields for grayscale and RGB", () => {
  for (const [channels, colorType] of [[1, 0], [3, 2]] as const) {
    const png = encodePng(new Uint8Array(300 * 2 * channels), {
      width: 300,
      height: 2,
      channels,
    });
    const ihdr = readChunks(png)[0];
    assertEquals(ihdr.type, "IHDR");
    assertEquals(ihdr.data.length, 13);
    const view = new DataView(ihdr.data.buffer, ihdr.data.byteOffset, 13);
    assertEquals(view.getUint32(0, false), 300, "width");
    assertEquals(view.getUint32(4, false), 2, "height");
    assertEquals(
      Array.from(ihdr.data.subarray(8)),
      [8, colorType, 0, 0, 0],
      "bit depth, colour type, compression, filter, interlace",
    );
  }
});

Deno.test("encodePng() IDAT inflates to scanlines with filter type 0", () => {
  // 3×2 RGB: row 0 red, green, blue; row 1 gray ramp.
  // deno-fmt-ignore
  const pixels = new Uint8Array([
    255, 0, 0,   0, 255, 0,   0, 0, 255,
    0, 0, 0,     128, 128, 128,   255, 255, 255,
  ]);
  const png = encodePng(pixels, { width: 3, height: 2, channels: 3 });
  const idat = readChunks(png).filter((c) => c.type === "IDAT");
  assertEquals(idat.length, 1);
  const raw = new Uint8Array(inflateSync(idat[0].data));
  assertEquals(
    Array.from(raw),
    [0, ...pixels.subarray(0, 9), 0, ...pixels.subarray(9)],
  );

  const gray = new Uint8Array(4 * 3).map((_, i) => i * 20);
  const grayRaw = new Uint8Array(
    inflateSync(readChunks(encodePng(gray, { width: 4, height: 3 }))[1].data),
  );
  // deno-fmt-ignore
  const expected = [
    0, 0, 20, 40, 60,
    0, 80, 100, 120, 140,
    0, 160, 180, 200, 220,
  ];
  assertEquals(Array.from(grayRaw), expected);
});

Deno.test("encodePng() rejects a pixel buffer of the wrong length", () => {
  assertThrows(
    () => encodePng(new Uint8Array(5), { width: 2, height: 2 }),
    RangeError,
    "expected 4 pixel bytes for 2x2x1, found 5",
  );
  assertThrows(
    () => encodePng(new Uint8Array(4), { width: 2, height: 2, channels: 3 }),
    RangeError,
    "expected 12 pixel bytes for 2x2x3, found 4",
  );
});

Deno.test("encodePng() rejects bad sizes, channel counts and pixel types", () => {
  assertThrows(
    () => encodePng(new Uint8Array(0), { width: 0, height: 1 }),
    RangeError,
    "expected width to be an integer",
  );
  assertThrows(
    () => encodePng(new Uint8Array(2), { width: 2, height: 1.5 }),
    RangeError,
    "found 1.5",
  );
  assertThrows(
    () =>
      encodePng(new Uint8Array(8), {
        width: 2,
        height: 1,
        channels: 4 as 3,
      }),
    RangeError,
    "expected channels to be 1 or 3, found 4",
  );
  assertThrows(
    () =>
      encodePng(new Float32Array(4) as unknown as Uint8Array, {
        width: 2,
        height: 2,
      }),
    TypeError,
    "expected pixels to be a Uint8Array, found Float32Array",
  );
});

Deno.test({
  name: "encodePng() output passes an independent Python check",
  ignore: !hasPython,
  fn: async () => {
    // Parses the chunks, checks every CRC with zlib.crc32, inflates IDAT and
    // prints width, height, colour type and the unfiltered pixels.
    const script = `
import json, struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n", "signature"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    (n,) = struct.unpack(">I", data[pos:pos + 4])
    kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
    (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
    assert crc == zlib.crc32(kind + body), kind
    if kind == b"IHDR": ihdr = struct.unpack(">IIBBBBB", body)
    if kind == b"IDAT": idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, _ = ihdr
raw = zlib.decompress(idat)
stride = w * (1 if ctype == 0 else 3)
rows = [raw[y * (stride + 1):(y + 1) * (stride + 1)] for y in range(h)]
assert all(r[0] == 0 for r in rows), "filter type"
print(json.dumps({"w": w, "h": h, "ctype": ctype,
                  "pixels": [b for r in rows for b in r[1:]]}))
`;
    const dir = await Deno.makeTempDir();
    try {
      const pixels = new Uint8Array(7 * 5 * 3).map((_, i) => (i * 13) % 256);
      const path = join(dir, "test.png");
      await Deno.writeFile(
        path,
        encodePng(pixels, { width: 7, height: 5, channels: 3 }),
      );
      const out = await new Deno.Command("python3", {
        args: ["-c", script, path],
      }).output();
      assert(out.success, new TextDecoder().decode(out.stderr));
      assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)), {
        w: 7,
        h: 5,
        ctype: 2,
        pixels: Array.from(pixels),
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
