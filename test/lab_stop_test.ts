/**
 * Ctrl-C in `deno task lab` stops JupyterLab and every kernel it started, and
 * returns promptly. Run as a user would: the task in a process group of its
 * own (as a terminal starts it), a Deno kernel started through Jupyter's REST
 * API, then SIGINT to the whole group, as Ctrl-C sends it.
 *
 * Needs `deno task setup` (the venv with Jupyter and the Deno kernel).
 */
import { assert, assertEquals } from "@std/assert";
import { KERNEL_NAME } from "../lib/setup/jupyter.ts";
import { isolatedJupyterEnv, PYTHON, requireJupyter, spawnLab } from "./lab_helpers.ts";

/** POSTs JSON to the lab's REST API (through the venv's Python: the tests have no net permission). */
async function post(port: number, token: string, path: string, body: unknown): Promise<string> {
  const script = [
    "import http.client, sys",
    "c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=60)",
    "c.request('POST', sys.argv[2], body=sys.argv[3], headers={'Authorization': 'token ' + sys.argv[4], 'Content-Type': 'application/json'})",
    "r = c.getresponse()",
    "print(r.status, r.read().decode())",
  ].join("\n");
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", script, String(port), path, JSON.stringify(body), token],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim() + new TextDecoder().decode(out.stderr);
}

/** Processes whose command line mentions `needle` (read from /proc), by id. */
function processesWith(needle: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
      if (cmd.includes(needle)) out.push(Number(e.name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** Whether `pid` is a live process (not gone, not a zombie). */
function running(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

Deno.test("Ctrl-C in deno task lab stops JupyterLab and its kernels within 15 s", async () => {
  await requireJupyter();
  const { env, cleanup } = await isolatedJupyterEnv();
  const lab = await spawnLab(["--no-setup", "--no-browser", "--port", "0"], {
    env,
    newSession: true,
  }).catch(async (e) => {
    await cleanup();
    throw e;
  });
  let kernels: number[] = [];
  try {
    const started = await post(lab.port, lab.token, "/api/kernels", { name: KERNEL_NAME });
    assert(started.startsWith("201"), `starting a kernel: ${started}`);
    // The kernel's connection file lives in this test's own runtime folder.
    const deadline = Date.now() + 60_000;
    while (kernels.length === 0 && Date.now() < deadline) {
      kernels = processesWith(env.JUPYTER_RUNTIME_DIR).filter((p) =>
        Deno.readTextFileSync(`/proc/${p}/cmdline`).includes("--kernel")
      );
      if (kernels.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    assertEquals(kernels.length, 1, `expected one Deno kernel process:\n${lab.output()}`);

    const t0 = performance.now();
    const kill = await new Deno.Command("kill", { args: ["-INT", "--", `-${lab.pid}`] }).output();
    assert(kill.success, "kill -INT to the process group");
    const timeout = new Promise<null>((r) => setTimeout(() => r(null), 15_000));
    const status = await Promise.race([lab.status, timeout]);
    const seconds = (performance.now() - t0) / 1000;
    if (status === null) {
      throw new Error(`deno task lab still running 15 s after Ctrl-C:\n${lab.output()}`);
    }
    assert(status.code === 0 || status.code === 130, `exit code ${status.code}:\n${lab.output()}`);
    assert(seconds < 15, `took ${seconds.toFixed(1)} s`);
    // Give the kernel's own exit a moment to be reaped, then it must be gone.
    await new Promise((r) => setTimeout(r, 500));
    assertEquals(kernels.filter(running), [], "kernel processes left running");
    assertEquals(processesWith(env.JUPYTER_RUNTIME_DIR).filter(running), []);
  } finally {
    await lab.stop();
    for (const p of kernels.filter(running)) Deno.kill(p, "SIGKILL");
    await cleanup();
  }
});
