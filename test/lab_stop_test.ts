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

/** Live (not zombie) processes whose command line mentions `needle`, from /proc (read by the venv's Python: Deno opens /proc only with every permission). */
async function processesWith(needle: string): Promise<number[]> {
  const script = [
    "import os, sys",
    "for n in os.listdir('/proc'):",
    "    if not n.isdigit(): continue",
    "    try:",
    "        stat = open(f'/proc/{n}/stat').read()",
    "        cmd = open(f'/proc/{n}/cmdline').read().replace('\\0', ' ')",
    "    except OSError: continue",
    "    if int(n) != os.getpid() and stat[stat.rindex(')') + 2] != 'Z' and sys.argv[1] in cmd and '--kernel' in cmd: print(n)",
  ].join("\n");
  const out = await new Deno.Command(PYTHON, { args: ["-c", script, needle], stdout: "piped" })
    .output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l).map(Number);
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
      kernels = await processesWith(env.JUPYTER_RUNTIME_DIR);
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
    assertEquals(await processesWith(env.JUPYTER_RUNTIME_DIR), [], "kernel processes left running");
  } finally {
    // Kernels first: a surviving one holds lab's output pipes open.
    for (const p of await processesWith(env.JUPYTER_RUNTIME_DIR)) {
      try {
        Deno.kill(p, "SIGKILL");
      } catch {
        // Gone meanwhile.
      }
    }
    await Promise.race([lab.stop(), new Promise((r) => setTimeout(r, 10_000))]);
    await cleanup();
  }
});
