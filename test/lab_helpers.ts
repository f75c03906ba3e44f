/**
 * Shared by the Jupyter tests (notebooks, browser, lab privacy): the venv and
 * kernel precondition, `deno task lab` as a child process, HTTP through the
 * venv's Python, and the listening sockets from /proc/net.
 *
 * The test runner grants no network permission, so HTTP requests go through
 * the venv's Python (http.client, which ignores proxy settings).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kernelDir, kernelSpec, venvBin } from "../lib/setup/jupyter.ts";

export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));
export const PYTHON: string = join(venvBin(ROOT), "python");
/** Debian's Chromium, which the browser tests drive. */
export const CHROMIUM = "/usr/bin/chromium";

/** The small settings every notebook run in the tests uses. */
export const SMALL_ENV: Readonly<Record<string, string>> = {
  INFOGAN_STEPS: "4",
  INFOGAN_BATCH_SIZE: "4",
  INFOGAN_WIDTH: "0.125",
  // Notebook 4 refreshes its live display every N steps: exercise the refresh.
  INFOGAN_LIVE_EVERY: "2",
  // Notebook 7 fits its code readback on this many generated images.
  INFOGAN_READBACK_IMAGES: "200",
};

/**
 * Throws a clear error unless `deno task setup` has made .venv with Jupyter
 * and the Deno kernel for this Deno. The tests fail (never skip) without it.
 */
export async function requireJupyter(): Promise<void> {
  const missing: string[] = [];
  for (const path of [PYTHON, join(venvBin(ROOT), "jupyter")]) {
    try {
      await Deno.stat(path);
    } catch {
      missing.push(path);
    }
  }
  let spec: { argv?: string[] } | undefined;
  try {
    spec = JSON.parse(await Deno.readTextFile(join(kernelDir(ROOT), "kernel.json")));
  } catch {
    missing.push(join(kernelDir(ROOT), "kernel.json"));
  }
  if (missing.length) {
    throw new Error(
      `Jupyter is not set up: missing ${missing.join(", ")}. Run \`deno task setup\` first ` +
        "(it installs requirements.txt into .venv and registers the Deno kernel).",
    );
  }
  const want = (kernelSpec().argv as string[])[0];
  if (spec?.argv?.[0] !== want) {
    throw new Error(
      `the Deno kernel in .venv runs ${spec?.argv?.[0]}, expected this Deno (${want}): ` +
        "run `deno task setup` again",
    );
  }
}

/** Environment that keeps a test's Jupyter away from the user's (config, runtime files). */
export async function isolatedJupyterEnv(): Promise<{
  env: Record<string, string>;
  cleanup: () => Promise<void>;
}> {
  const tmp = await Deno.makeTempDir({ prefix: "infogan-jupyter-test-" });
  // JupyterLab saves a checkpoint of every notebook it opens: keep those out of the tree.
  await Deno.mkdir(join(tmp, "config"));
  await Deno.writeTextFile(
    join(tmp, "config", "jupyter_server_config.json"),
    JSON.stringify({ FileCheckpoints: { checkpoint_dir: join(tmp, "checkpoints") } }),
  );
  return {
    env: {
      JUPYTER_CONFIG_DIR: join(tmp, "config"),
      JUPYTER_RUNTIME_DIR: join(tmp, "runtime"),
      INFOGAN_RUNS_DIR: join(tmp, "runs"),
    },
    cleanup: () => Deno.remove(tmp, { recursive: true }),
  };
}

/** `deno task lab` running as a child process. */
export interface LabProcess {
  url: string;
  port: number;
  token: string;
  /** The process id of `deno task lab` (with `newSession`, also its process group). */
  pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM to `deno task lab`; resolves with its exit status. */
  stop(): Promise<Deno.CommandStatus>;
  status: Promise<Deno.CommandStatus>;
}

/** Starts `deno task lab ARGS` and waits for the URL it prints. */
export async function spawnLab(
  args: string[],
  options: {
    env?: Record<string, string>;
    unset?: string[];
    timeoutMs?: number;
    /** Start it as a terminal would: a session and process group of its own (setsid). */
    newSession?: boolean;
  } = {},
): Promise<LabProcess> {
  const env: Record<string, string> = { ...Deno.env.toObject(), ...options.env };
  for (const name of options.unset ?? []) delete env[name];
  const argv = [Deno.execPath(), "task", "-q", "lab", ...args];
  if (options.newSession) argv.unshift("setsid");
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: ROOT,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const waiters: Array<() => void> = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      for (const w of waiters.splice(0)) w();
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status.then(async (s) => {
    await pumps;
    for (const w of waiters.splice(0)) w();
    return s;
  });
  let exited = false;
  status.then(() => exited = true);
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    return await status;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  while (true) {
    const m = text.match(/Open:\s*\n\s*(http:\/\/127\.0\.0\.1:(\d+)\/lab\?token=([0-9A-Za-z_-]+))/);
    if (m) {
      return {
        url: m[1],
        port: Number(m[2]),
        token: m[3],
        pid: child.pid,
        output: () => text,
        stop,
        status,
      };
    }
    if (exited || Date.now() > deadline) {
      const s = exited ? await status : await stop();
      throw new Error(
        `deno task lab ${args.join(" ")}: expected "Open: URL", found exit code ${s.code} ` +
          `${exited ? "" : "(timed out) "}after output:\n${text.slice(-3000)}`,
      );
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 500);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * GET `path` from the lab on loopback `port` through the venv's Python (the
 * test task grants no network permission), returning the status and body.
 */
export async function httpGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const script = [
    "import http.client, json, sys",
    "c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=20)",
    "c.request('GET', sys.argv[2], headers=json.loads(sys.argv[3]))",
    "r = c.getresponse()",
    "print(json.dumps({'status': r.status, 'body': r.read().decode('utf-8', 'replace')}))",
  ].join("\n");
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", script, String(port), path, JSON.stringify(headers)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success || !stdout.startsWith("{")) {
    throw new Error(
      `GET http://127.0.0.1:${port}${path}: expected a response, found ${
        JSON.stringify(stdout.slice(0, 200))
      } (stderr: ${new TextDecoder().decode(out.stderr).trim().slice(-500)})`,
    );
  }
  return JSON.parse(stdout);
}

/** The status code of GET `path` (see {@linkcode httpGet}). */
export async function httpGetStatus(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<number> {
  return (await httpGet(port, path, headers)).status;
}

/**
 * The local addresses of every TCP socket listening on `port`, from
 * /proc/net/tcp and tcp6 (read by the venv's Python: Deno opens /proc/net
 * only with every permission).
 */
export async function listeningAddresses(port: number): Promise<string[]> {
  const script = [
    "import os",
    "for f in ('/proc/net/tcp', '/proc/net/tcp6'):",
    "    if os.path.exists(f): print(open(f).read())",
  ].join("\n");
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success || !text.includes("local_address")) {
    throw new Error(
      `reading /proc/net/tcp: expected its table, found exit code ${out.code}: ${
        new TextDecoder().decode(out.stderr).slice(-500)
      }`,
    );
  }
  const found: string[] = [];
  for (const line of text.split("\n")) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (!local?.includes(":") || state !== "0A") continue; // 0A: LISTEN
    const [hexAddr, hexPort] = local.split(":");
    if (parseInt(hexPort, 16) === port) found.push(decodeProcAddress(hexAddr));
  }
  return found;
}

/** /proc/net's hex address (host byte order per 32-bit word) as text. */
export function decodeProcAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).map((b) => parseInt(b, 16)).reverse());
  if (bytes.length === 4) return bytes.join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(":");
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  if (/^127\./.test(address)) return true;
  if (address === "0:0:0:0:0:0:0:1") return true;
  const mapped = address.match(/^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/);
  return mapped !== null && parseInt(mapped[1], 16) >> 8 === 127;
}
