import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import { Random } from "../lib/infogan/random.ts";

Deno.test("Random gives equal streams for equal seeds and different ones otherwise", () => {
  const a = new Random(42);
  const b = new Random(42);
  const c = new Random(43);
  const draw = (r: Random) => Array.from({ length: 8 }, () => r.nextUint32());
  const first = draw(a);
  assertEquals(draw(b), first);
  assertNotEquals(draw(c), first);
});

Deno.test("Random.fromState() continues the exact stream, including a cached normal", () => {
  const a = new Random(7);
  a.normal(); // leaves the Box–Muller spare cached
  const b = Random.fromState(JSON.parse(JSON.stringify(a.state())));
  assertEquals([b.normal(), b.next(), b.int(10)], [a.normal(), a.next(), a.int(10)]);
});

Deno.test("Random.fromState() rejects malformed state", () => {
  assertThrows(
    () => Random.fromState({ words: [0, 0, 0, 0], spare: null }),
    TypeError,
    "not all zero",
  );
  assertThrows(() => Random.fromState({ words: [1, 2, 3], spare: null }), TypeError, "4 unsigned");
  assertThrows(() => new Random(-1), RangeError, "found -1");
});

Deno.test("Random draws have the right ranges and moments", () => {
  const r = new Random(1);
  const n = 20_000;
  let sum = 0;
  let sq = 0;
  const counts = new Array(10).fill(0);
  for (let i = 0; i < n; i++) {
    const u = r.uniform(-1, 1);
    assert(u >= -1 && u < 1);
    counts[r.int(10)]++;
    const z = r.normal(0.5);
    sum += z;
    sq += z * z;
  }
  assertAlmostEquals(sum / n, 0, 0.02);
  assertAlmostEquals(Math.sqrt(sq / n), 0.5, 0.02);
  assert(counts.every((c) => Math.abs(c - n / 10) < n / 50), String(counts));
});
