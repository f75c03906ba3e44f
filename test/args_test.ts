/**
 * The commands' flag parser (lib/cli/args.ts), through a real command, since
 * nothing imports lib/cli/: `deno task sweep --help …` parses every flag and
 * then only prints its help, so each case runs in well under a second.
 */
import { assertEquals, assertMatch } from "@std/assert";
import { fromFileUrl } from "@std/path";

const ROOT = fromFileUrl(new URL("..", import.meta.url));

async function sweep(args: string[]): Promise<{ code: number; stdout: string; error: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "sweep", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  const error = text.decode(out.stderr).split("\n").find((l) => l.startsWith("error: ")) ?? "";
  return { code: out.code, stdout: text.decode(out.stdout), error };
}

Deno.test("the flag parser takes --flag value, --flag=value, negative numbers and bare booleans", async () => {
  const ok = await sweep([
    "--help",
    "--from",
    "-2",
    "--to=1.5",
    "--count",
    "3",
    "--backend",
    "cpu",
  ]);
  assertEquals(ok.code, 0, ok.error);
  assertMatch(ok.stdout, /^Usage: deno task sweep/);
  // Required flags are not required for --help.
  assertMatch(ok.stdout, /--checkpoint +checkpoint, run folder or pretrained folder \(required\)/);
});

Deno.test("the flag parser refuses, naming the flag: unknown, repeated, missing or bad values, stray words", async () => {
  const cases: [string[], RegExp][] = [
    [["--nope", "1"], /^error: unknown flag --nope \(see --help\)$/],
    [["--count", "3", "--count", "4"], /^error: --count: given more than once$/],
    [["--count"], /^error: --count: expected a value, found the end of the arguments$/],
    [["--count", "--from", "1"], /^error: --count: expected a value, found flag --from$/],
    [["--count", "0"], /^error: --count: expected integer 1\.\.100, found "0"$/],
    [["--from", "x"], /^error: --from: expected number ≥ -100, ≤ 100, found "x"$/],
    [
      ["--backend", "tpu"],
      /^error: --backend: expected auto\|tensorflow\|webgpu\|wasm\|cpu, found "tpu"$/,
    ],
    [["stray"], /^error: unexpected argument "stray": expected --flag value$/],
    [["--out", "x.png"], /^error: --checkpoint is required \(see --help\)$/],
  ];
  for (const [args, message] of cases) {
    const r = await sweep([...(args.includes("--out") ? [] : ["--help"]), ...args]);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.error}`);
    assertMatch(r.error, message);
  }
});
