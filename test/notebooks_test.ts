/**
 * Runs every notebooks/*.ipynb headless through the Deno kernel (nbclient,
 * test/fixtures/run_notebook.py) at CI's small settings, proves the runner
 * fails on a deliberately failing notebook, and checks that committed
 * notebooks carry no outputs.
 *
 * Needs `deno task setup` (the venv with Jupyter and the Deno kernel); fails
 * with a clear message without it.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { basename, join } from "node:path";
import { KERNEL_NAME } from "../lib/setup/jupyter.ts";
import { isolatedJupyterEnv, PYTHON, requireJupyter, ROOT, SMALL_ENV } from "./lab_helpers.ts";

const RUNNER = join(ROOT, "test", "fixtures", "run_notebook.py");
const FIXTURES = join(ROOT, "test", "fixtures");
/** Executed copies go here, for reading after a failure (ignored by git). */
const ARTIFACTS = join(ROOT, "test-artifacts", "notebooks");
/** Seconds per cell: generous for a 2-core machine, small next to a hung kernel. */
const CELL_TIMEOUT_S = 300;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * One runs folder for the notebooks/ runs of this file, so notebook 5 finds
 * the run that notebook 4 trained, as it does for a user (they run in order).
 */
const SHARED_RUNS = Deno.makeTempDirSync({ prefix: "infogan-notebook-runs-" });
globalThis.addEventListener("unload", () => Deno.removeSync(SHARED_RUNS, { recursive: true }));

/** Executes one notebook through the runner with the small settings (or, with `defaults`, its own). */
async function runNotebook(
  path: string,
  options: { runsDir?: string; twice?: boolean; defaults?: boolean } = {},
): Promise<RunResult> {
  await requireJupyter();
  const { env, cleanup } = await isolatedJupyterEnv();
  if (options.runsDir) env.INFOGAN_RUNS_DIR = options.runsDir;
  try {
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const out = await new Deno.Command(PYTHON, {
      args: [
        RUNNER,
        path,
        "--timeout",
        String(CELL_TIMEOUT_S),
        "--output",
        join(ARTIFACTS, basename(path)),
        ...(options.twice ? ["--twice"] : []),
      ],
      cwd: ROOT,
      env: { ...(options.defaults ? {} : SMALL_ENV), ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  } finally {
    await cleanup();
  }
}

/** notebooks/*.ipynb, sorted. */
function notebooks(): string[] {
  const dir = join(ROOT, "notebooks");
  return [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
    .map((e) => join(dir, e.name))
    .sort();
}

function describe(r: RunResult): string {
  return `exit code ${r.code}\nstdout:\n${r.stdout.slice(-2000)}\nstderr:\n${
    r.stderr.slice(-4000)
  }`;
}

Deno.test("run_notebook.py passes a fixture that imports lib/mod.ts and reads INFOGAN_*", async () => {
  const r = await runNotebook(join(FIXTURES, "smoke.ipynb"));
  assertEquals(r.code, 0, describe(r));
  assertMatch(r.stdout, /^ok smoke\.ipynb: 4 cells$/m);
  // The kernel started in the notebook's folder and saw the small settings.
  const executed = JSON.parse(await Deno.readTextFile(join(ARTIFACTS, "smoke.ipynb")));
  const printed = executed.cells[1].outputs.map((o: { text?: string }) => o.text ?? "").join("");
  const seen = JSON.parse(printed);
  assertEquals(seen.cwd, FIXTURES);
  assertEquals([seen.steps, seen.batchSize, seen.width], [4, 4, 0.125]);
});

Deno.test("run_notebook.py fails on test/fixtures/failing.ipynb, naming the cell and error", async () => {
  const r = await runNotebook(join(FIXTURES, "failing.ipynb"));
  assertEquals(r.code, 1, describe(r));
  assertMatch(r.stderr, /failing\.ipynb: cell 2: .*deliberate failure/s);
  assertMatch(r.stderr, /^FAILED failing\.ipynb/m);
  // Execution stopped at the failing cell.
  const executed = JSON.parse(await Deno.readTextFile(join(ARTIFACTS, "failing.ipynb")));
  assertEquals(executed.cells[3].outputs, []);
});

Deno.test("run_notebook.py --twice fails on a notebook that breaks when rerun, and only then", async () => {
  const path = join(FIXTURES, "rerun_breaks.ipynb");
  const once = await runNotebook(path);
  assertEquals(once.code, 0, describe(once));
  const twice = await runNotebook(path, { twice: true });
  assertEquals(twice.code, 1, describe(twice));
  // The second pass's copy of cell 2 is cell 6 of the doubled notebook.
  assertMatch(twice.stderr, /rerun_breaks\.ipynb: cell 6: .*used after it was disposed/s);
});

Deno.test("run_notebook.py fails on error outputs even when the kernel replied ok", async () => {
  // A kernel that reports a failed cell as success leaves only its outputs behind.
  const tmp = await Deno.makeTempDir({ prefix: "infogan-scan-" });
  try {
    const cases: Record<string, unknown> = {
      error: { output_type: "error", ename: "Error", evalue: "boom", traceback: ["Error: boom"] },
      uncaught: { output_type: "stream", name: "stderr", text: "error: Uncaught Error: boom\n" },
      rejected: {
        output_type: "execute_result",
        execution_count: 1,
        metadata: {},
        data: { "text/plain": "Promise {\n  <rejected> Error: boom\n}" },
      },
    };
    const paths: string[] = [];
    // A warning on stderr is not an error.
    cases.warning = { output_type: "stream", name: "stderr", text: "Warning: slow backend\n" };
    for (const [name, output] of Object.entries(cases)) {
      const path = join(tmp, `${name}.ipynb`);
      await Deno.writeTextFile(path, JSON.stringify(fixtureNotebook([output])));
      paths.push(path);
    }
    await requireJupyter();
    const out = await new Deno.Command(PYTHON, {
      args: [RUNNER, ...paths, "--scan-only"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, stderr);
    for (const name of ["error", "uncaught", "rejected"]) {
      assertMatch(stderr, new RegExp(`^${name}\\.ipynb: cell 0: .*boom`, "m"));
    }
    assertMatch(
      new TextDecoder().decode(out.stdout),
      /^ok warning\.ipynb: 1 cells \(scanned only\)$/m,
    );
    assert(!stderr.includes("warning.ipynb"), stderr);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

function fixtureNotebook(outputs: unknown[]): unknown {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: [{
      cell_type: "code",
      id: "c0",
      execution_count: 1,
      metadata: {},
      source: "1",
      outputs,
    }],
  };
}

Deno.test("committed notebooks have no outputs and no execution counts", async () => {
  const paths = [...notebooks(), join(FIXTURES, "smoke.ipynb"), join(FIXTURES, "failing.ipynb")];
  const dirty: string[] = [];
  for (const path of paths) {
    const nb = JSON.parse(await Deno.readTextFile(path));
    assert(Array.isArray(nb.cells), `${path}: expected a cells array`);
    nb.cells.forEach((cell: Record<string, unknown>, i: number) => {
      if (cell.cell_type !== "code") return;
      if (cell.execution_count !== null) {
        dirty.push(`${path}: cell ${i} has execution_count ${cell.execution_count}`);
      }
      if (!Array.isArray(cell.outputs) || cell.outputs.length > 0) {
        dirty.push(`${path}: cell ${i} has outputs`);
      }
    });
  }
  assertEquals(dirty, [], "clear outputs before committing (Edit > Clear Outputs of All Cells)");
});

Deno.test("every exercise in every notebook has a collapsed worked answer", async () => {
  for (const path of notebooks()) {
    const nb = JSON.parse(await Deno.readTextFile(path));
    const text = nb.cells.map((c: { source: string[] | string }) =>
      Array.isArray(c.source) ? c.source.join("") : c.source
    ).join("\n");
    const at = text.indexOf("## Exercises");
    assert(at >= 0, `${path}: expected a "## Exercises" section`);
    const section = text.slice(at);
    const questions: string[] = section.slice(0, section.indexOf("<details>")).match(/^\d+\. /gm) ??
      [];
    const answers = [...section.matchAll(/<details><summary>Answer to (\d+)<\/summary>/g)]
      .map((m) => Number(m[1]));
    assert(questions.length > 0, `${path}: expected numbered exercises`);
    assertEquals(answers, questions.map((_, i) => i + 1), `${path}: one answer per exercise`);
    assertEquals(
      section.split("</details>").length - 1,
      answers.length,
      `${path}: unclosed <details>`,
    );
  }
});

Deno.test("notebooks name the Deno kernel that setup registers", async () => {
  for (const path of notebooks()) {
    const nb = JSON.parse(await Deno.readTextFile(path));
    assertEquals(nb.metadata?.kernelspec?.name, KERNEL_NAME, `${path}: metadata.kernelspec.name`);
  }
});

// One test per notebook, so a failure names it. Picked up as notebooks appear. Each runs top to
// bottom, then every cell once more in order, as a user who reruns it would: the second pass
// resumes the runs the first one trained.
for (const path of notebooks()) {
  Deno.test(`notebooks/${basename(path)} runs top to bottom, then reruns every cell, at CI's small settings`, async () => {
    const r = await runNotebook(path, { runsDir: SHARED_RUNS, twice: true });
    assertEquals(r.code, 0, describe(r));
  });
}

Deno.test("notebooks/03_toy_ring.ipynb at its defaults: λ = 1 puts each category on a mode on every seed, λ = 0 does not", async () => {
  const path = join(ROOT, "notebooks", "03_toy_ring.ipynb");
  const r = await runNotebook(path, { defaults: true });
  assertEquals(r.code, 0, describe(r));
  // The over-seeds table, as console.table printed it in the executed copy.
  const executed = JSON.parse(await Deno.readTextFile(join(ARTIFACTS, basename(path))));
  const text = executed.cells.flatMap((c: { outputs?: { text?: string[] | string }[] }) =>
    (c.outputs ?? []).map((o) => Array.isArray(o.text) ? o.text.join("") : o.text ?? "")
  ).join("\n");
  const rows = [...text.matchAll(/│\s*\d+\s*│\s*(\d+)\s*│\s*([01])\s*│\s*"([\d.]+)%"/g)]
    .map((m) => ({ seed: Number(m[1]), lambda: Number(m[2]), accuracy: Number(m[3]) }));
  assertEquals(rows.length, 6, `expected 3 seeds × 2 λ in the table, found:\n${text.slice(-3000)}`);
  for (const row of rows) {
    const ok = row.lambda === 1 ? row.accuracy >= 80 : row.accuracy <= 50;
    assert(ok, `seed ${row.seed}, λ = ${row.lambda}: Hungarian accuracy ${row.accuracy}%`);
  }
});
