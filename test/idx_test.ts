import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertNotStrictEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { gzipSync } from "node:zlib";
import { fromFileUrl, join } from "@std/path";
import { encodeIdx, type IdxArray, IdxError, parseIdx, readIdx } from "../lib/data/idx.ts";
import { writeIdx } from "../lib/io/idx_write.ts";

/** Builds IDX bytes by hand, independently of encodeIdx(). */
function rawIdx(
  header: { zero?: [number, number]; type: number; dims: number[] },
  payload: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(4 + 4 * header.dims.length + payload.length);
  const view = new DataView(out.buffer);
  out[0] = header.zero?.[0] ?? 0;
  out[1] = header.zero?.[1] ?? 0;
  out[2] = header.type;
  out[3] = header.dims.length;
  header.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(payload, 4 + 4 * header.dims.length);
  return out;
}

/** Big-endian float32 bytes, built by hand. */
function beFloat32(values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, false));
  return out;
}

/** Asserts that parsing fails with a one-line IdxError naming the file. */
function assertParseError(
  bytes: Uint8Array,
  includes: string[],
): IdxError {
  const name = "some-dir/my-file-idx3-ubyte";
  const err = assertThrows(() => parseIdx(bytes, { name }), IdxError);
  assertInstanceOf(err, IdxError);
  assertEquals(err.file, name);
  assert(
    err.message.startsWith(`${name}: `),
    `message should start with the file name: ${err.message}`,
  );
  assert(
    !err.message.includes("\n"),
    `message is not one line: ${err.message}`,
  );
  for (const s of includes) assertStringIncludes(err.message, s);
  return err;
}

const hasPython = await new Deno.Command("python3", {
  args: ["-c", "import struct, json, gzip"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);

Deno.test("parseIdx() reads a hand-built uint8 file with big-endian dims", () => {
  const pixels = new Uint8Array(2 * 3 * 300).map((_, i) => (i * 7) % 256);
  const arr = parseIdx(rawIdx({ type: 0x08, dims: [2, 3, 300] }, pixels), {
    name: "x",
  });
  assertEquals(arr.dtype, "uint8");
  assertEquals(arr.shape, [2, 3, 300]);
  assertInstanceOf(arr.data, Uint8Array);
  assertEquals(arr.data, pixels);
});

Deno.test("parseIdx() reads big-endian float32 values", () => {
  const values = [1.5, -2.25, 0, 3.4028234663852886e38, -1e-45, Infinity];
  const arr = parseIdx(
    rawIdx({ type: 0x0d, dims: [3, 2] }, beFloat32(values)),
    { name: "f" },
  );
  assertEquals(arr.dtype, "float32");
  assertEquals(arr.shape, [3, 2]);
  assertInstanceOf(arr.data, Float32Array);
  assertEquals(Array.from(arr.data), values.map((v) => Math.fround(v)));
});

Deno.test("parseIdx() returns data that does not share memory with the input", () => {
  const bytes = rawIdx({ type: 0x08, dims: [4] }, new Uint8Array([1, 2, 3, 4]));
  const arr = parseIdx(bytes, { name: "x" });
  bytes[bytes.length - 1] = 99;
  assertEquals(arr.data[3], 4);
  assertNotStrictEquals(arr.data.buffer, bytes.buffer);
});

Deno.test("encodeIdx() and parseIdx() round-trip uint8 data", () => {
  const arr: IdxArray = {
    dtype: "uint8",
    shape: [5, 4, 3],
    data: new Uint8Array(60).map((_, i) => 255 - i),
  };
  const bytes = encodeIdx(arr);
  assertEquals(bytes.length, 4 + 3 * 4 + 60);
  assertEquals(Array.from(bytes.subarray(0, 8)), [0, 0, 8, 3, 0, 0, 0, 5]);
  assertEquals(parseIdx(bytes, { name: "x" }), arr);
});

Deno.test("encodeIdx() and parseIdx() round-trip float32 data bit for bit", () => {
  const data = new Float32Array([0.1, -0, NaN, -Infinity, 1e-40, 65504, -7]);
  const bytes = encodeIdx({ dtype: "float32", shape: [7], data });
  assertEquals(Array.from(bytes.subarray(0, 4)), [0, 0, 0x0d, 1]);
  // The payload is big-endian: 0.1f is 0x3DCCCCCD.
  assertEquals(Array.from(bytes.subarray(8, 12)), [0x3d, 0xcc, 0xcc, 0xcd]);
  const back = parseIdx(bytes, { name: "x" });
  assertEquals(back.dtype, "float32");
  assertEquals(back.shape, [7]);
  assertEquals(
    new Uint8Array(back.data.buffer),
    new Uint8Array(data.buffer),
  );
});

Deno.test("parseIdx() gunzips input detected by its magic bytes, whatever the name", () => {
  const arr: IdxArray = {
    dtype: "float32",
    shape: [2, 2],
    data: new Float32Array([1, 2, 3, 4]),
  };
  const gz = gzipSync(encodeIdx(arr));
  assertEquals([gz[0], gz[1]], [0x1f, 0x8b]);
  assertEquals(parseIdx(gz, { name: "plain-name-idx2-float" }), arr);
  const u8: IdxArray = {
    dtype: "uint8",
    shape: [3],
    data: new Uint8Array([7, 8, 9]),
  };
  assertEquals(parseIdx(gzipSync(encodeIdx(u8)), { name: "labels" }), u8);
});

Deno.test("parseIdx() does not gunzip raw bytes whose name ends in .gz", () => {
  const bytes = rawIdx({ type: 0x08, dims: [2] }, new Uint8Array([5, 6]));
  assertEquals(
    parseIdx(bytes, { name: "labels.gz" }).data,
    new Uint8Array([5, 6]),
  );
});

Deno.test("parseIdx() rejects a bad magic number", () => {
  assertParseError(
    rawIdx({ zero: [0, 1], type: 0x08, dims: [1] }, new Uint8Array(1)),
    ["magic", "expected", "0x00 0x00", "found 0x00 0x01"],
  );
  // A PNG signature is not IDX either.
  assertParseError(
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
    ["found 0x89 0x50"],
  );
});

Deno.test("parseIdx() rejects an unknown type code and names it", () => {
  assertParseError(
    rawIdx({ type: 0x0b, dims: [1] }, new Uint8Array(2)),
    ["type code", "0x08", "0x0D", "found 0x0B", "int16"],
  );
  assertParseError(
    rawIdx({ type: 0x0e, dims: [1] }, new Uint8Array(8)),
    ["found 0x0E", "float64"],
  );
  assertParseError(
    rawIdx({ type: 0x42, dims: [1] }, new Uint8Array(1)),
    ["found 0x42"],
  );
});

Deno.test("parseIdx() rejects zero dimensions and a zero-sized dimension", () => {
  assertParseError(rawIdx({ type: 0x08, dims: [] }, new Uint8Array(0)), [
    "dimensions",
    "expected at least 1",
    "found 0",
  ]);
  assertParseError(rawIdx({ type: 0x08, dims: [3, 0, 2] }, new Uint8Array(0)), [
    "dimension 1 = 0",
    "[3, 0, 2]",
  ]);
});

Deno.test("parseIdx() rejects a truncated header", () => {
  assertParseError(new Uint8Array([0, 0]), ["expected at least 4", "found 2"]);
  const full = rawIdx({ type: 0x08, dims: [2, 2, 2] }, new Uint8Array(8));
  assertParseError(full.subarray(0, 10), [
    "truncated header",
    "expected 16",
    "found 10",
  ]);
});

Deno.test("parseIdx() rejects a truncated payload", () => {
  const full = rawIdx({ type: 0x0d, dims: [3] }, beFloat32([1, 2, 3]));
  assertParseError(full.subarray(0, full.length - 1), [
    "truncated payload",
    "expected 12",
    "found 11",
    "[3]",
  ]);
  assertParseError(
    rawIdx({ type: 0x08, dims: [10, 10] }, new Uint8Array(50)),
    ["truncated payload", "expected 100", "found 50"],
  );
});

Deno.test("parseIdx() rejects trailing bytes", () => {
  assertParseError(
    rawIdx({ type: 0x08, dims: [2, 2] }, new Uint8Array(5)),
    ["trailing bytes", "expected 4", "found 5"],
  );
  // Trailing bytes inside a gzip stream are caught too.
  assertParseError(
    gzipSync(rawIdx({ type: 0x0d, dims: [1] }, new Uint8Array(6))),
    ["trailing bytes", "expected 4", "found 6"],
  );
});

Deno.test("parseIdx() rejects corrupt gzip data", () => {
  assertParseError(
    new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7]),
    ["corrupt gzip"],
  );
  const gz = gzipSync(rawIdx({ type: 0x08, dims: [100] }, new Uint8Array(100)));
  assertParseError(gz.subarray(0, gz.length - 6), ["corrupt gzip"]);
  const flipped = new Uint8Array(gz);
  flipped[flipped.length - 5] ^= 0xff; // damage the stored CRC
  assertParseError(flipped, ["corrupt gzip"]);
});

Deno.test("encodeIdx() rejects a dtype that does not match the data", () => {
  const err = assertThrows(
    () => encodeIdx({ dtype: "uint8", shape: [2], data: new Float32Array(2) }),
    IdxError,
    'expected Uint8Array data for dtype "uint8", found Float32Array',
  );
  assertStringIncludes(err.message, "encodeIdx()");
  assertThrows(
    () => encodeIdx({ dtype: "float32", shape: [2], data: new Uint8Array(2) }),
    IdxError,
    "found Uint8Array",
  );
  assertThrows(
    () =>
      encodeIdx({
        dtype: "int32" as "uint8",
        shape: [1],
        data: new Uint8Array(1),
      }),
    IdxError,
    'found "int32"',
  );
});

Deno.test("encodeIdx() rejects a data length that differs from the shape", () => {
  assertThrows(
    () => encodeIdx({ dtype: "uint8", shape: [2, 3], data: new Uint8Array(5) }),
    IdxError,
    "expected 6 values for shape [2, 3], found 5",
  );
});

Deno.test("encodeIdx() rejects empty shapes and bad sizes", () => {
  assertThrows(
    () => encodeIdx({ dtype: "uint8", shape: [], data: new Uint8Array(1) }),
    IdxError,
    "expected 1 to 255 dimensions, found 0",
  );
  assertThrows(
    () => encodeIdx({ dtype: "uint8", shape: [0], data: new Uint8Array(0) }),
    IdxError,
    "dimension 0 = 0",
  );
  assertThrows(
    () => encodeIdx({ dtype: "uint8", shape: [1.5], data: new Uint8Array(1) }),
    IdxError,
    "dimension 0 = 1.5",
  );
});

Deno.test("readIdx() rejects a missing file and names its path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "nope-idx1-ubyte");
    const err = await assertRejects(() => readIdx(path), IdxError, path);
    assertStringIncludes(err.message, "not found");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readIdx() names the path in format errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "bad-idx1-ubyte");
    await Deno.writeFile(
      path,
      rawIdx({ type: 0x08, dims: [3] }, new Uint8Array(2)),
    );
    await assertRejects(
      () => readIdx(path),
      IdxError,
      `${path}: truncated payload: expected 3 payload bytes for uint8 shape [3], found 2`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeIdx() and readIdx() round-trip and leave no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "a-idx2-float");
    const first: IdxArray = {
      dtype: "float32",
      shape: [2, 3],
      data: new Float32Array([1, 2, 3, 4, 5, 6.5]),
    };
    await writeIdx(path, first);
    assertEquals(await readIdx(path), first);
    // Overwrite in place (the rename replaces the old file).
    const second: IdxArray = {
      dtype: "uint8",
      shape: [4],
      data: new Uint8Array([9, 8, 7, 6]),
    };
    await writeIdx(new URL(`file://${path}`), second);
    assertEquals(await readIdx(path), second);
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assertEquals(names, ["a-idx2-float"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeIdx() rejects an invalid array, names the path and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "bad-idx1-ubyte");
    await assertRejects(
      () => writeIdx(path, { dtype: "uint8", shape: [3], data: new Uint8Array(2) }),
      IdxError,
      `${path}: length mismatch`,
    );
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assertEquals(names, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "writeIdx() output is read by an independent Python reader",
  ignore: !hasPython,
  fn: async () => {
    const script = fromFileUrl(
      new URL("./fixtures/read_idx.py", import.meta.url),
    );
    const dir = await Deno.makeTempDir();
    try {
      const cases: IdxArray[] = [
        {
          dtype: "uint8",
          shape: [3, 5, 7],
          data: new Uint8Array(105).map((_, i) => (i * 37) % 256),
        },
        {
          dtype: "float32",
          shape: [4, 3],
          data: new Float32Array(12).map((_, i) => (i - 5.5) / 3),
        },
      ];
      for (const [k, arr] of cases.entries()) {
        const path = join(dir, `case${k}`);
        await writeIdx(path, arr);
        const out = await new Deno.Command("python3", {
          args: [script, path],
        }).output();
        const stderr = new TextDecoder().decode(out.stderr);
        assert(out.success, `read_idx.py failed: ${stderr}`);
        const got = JSON.parse(new TextDecoder().decode(out.stdout));
        let sum = 0;
        for (const v of arr.data) sum += v;
        assertEquals(got, { dtype: arr.dtype, shape: arr.shape, sum });
        // The Python reader also accepts the gzipped form.
        await Deno.writeFile(path, gzipSync(await Deno.readFile(path)));
        const gz = await new Deno.Command("python3", {
          args: [script, path],
        }).output();
        assertEquals(JSON.parse(new TextDecoder().decode(gz.stdout)), got);
        assertEquals(await readIdx(path), arr);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
