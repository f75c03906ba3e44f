/**
 * JupyterLab from `.venv/`, serving the notebooks with the Deno kernel that
 * `deno task setup` registered there.
 *
 * Private by default: the server listens on 127.0.0.1 only and every request
 * needs the token (JUPYTER_TOKEN if set, else a fresh random one). After the
 * start it checks itself: an unauthenticated API request must be refused and
 * an authenticated one accepted, else it stops (a Jupyter config file that
 * disables the token cannot silently open it). Listening on another address
 * needs `--ip ADDR --expose`; the token stays required.
 *
 * @module
 */
import { join } from "node:path";
import { TextLineStream } from "@std/streams";
import { kernelDir, venvBin } from "./jupyter.ts";
import { descendants, killAll, settlesWithin } from "./process_tree.ts";

/** A bad lab setting: an address, a token (the command reports it as a usage error). */
export class LabError extends Error {
  override name = "LabError";
}

/** JupyterLab's usual port; the next free one is taken when it is busy. */
export const DEFAULT_PORT = 8888;
/** Addresses that only this machine can reach. */
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** Options of {@linkcode startLab}. */
export interface LabOptions {
  /** The project root (holds .venv/). */
  root: string;
  /** The folder JupyterLab serves (default `<root>/notebooks`). */
  dir?: string;
  /** The port; 0 lets the OS pick (default 8888, or the next free one). */
  port?: number;
  /** The address to listen on (default 127.0.0.1). */
  ip?: string;
  /** Must be true for an address that is not loopback. */
  expose?: boolean;
  /** Let Jupyter open a browser tab (default false). */
  openBrowser?: boolean;
  /** The token (default: a random one). Never empty. */
  token?: string;
  /** Extra environment for the server and its kernels. */
  env?: Record<string, string>;
  /** Receives every line that the server logs; default: stderr. */
  log?: (line: string) => void;
  /** Seconds to wait for the server to answer (default 120). */
  startTimeout?: number;
  /** Aborting it while the server starts stops the server. */
  signal?: AbortSignal;
}

/** A running JupyterLab. */
export interface LabServer {
  /** `http://127.0.0.1:PORT/lab?token=…` (what a browser opens). */
  url: string;
  /** `http://127.0.0.1:PORT` (for API requests). */
  baseUrl: string;
  port: number;
  token: string;
  /** The server process's id. */
  pid: number;
  /** Resolves when the server exits. */
  status: Promise<Deno.CommandStatus>;
  /** SIGTERM (shuts kernels down), then SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<Deno.CommandStatus>;
}

/** A random 48-hex-digit token (192 bits). */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return bytes.toHex();
}

/** Validates the listen address: loopback, or anything with `expose`. */
export function checkIp(ip: string, expose: boolean): void {
  if (ip === "") {
    throw new LabError(`--ip: expected an address, found "" (which means every interface)`);
  }
  if (!LOOPBACK.has(ip) && !expose) {
    throw new LabError(
      `--ip ${ip}: expected a loopback address (127.0.0.1, ::1, localhost); ` +
        `to listen on ${ip} deliberately, add --expose`,
    );
  }
}

/**
 * Starts JupyterLab from the venv and waits until it answers; checks that it
 * refuses requests without the token. Throws, with the server's log tail, when
 * it does not start or is not private.
 */
export async function startLab(options: LabOptions): Promise<LabServer> {
  const { root } = options;
  const dir = options.dir ?? join(root, "notebooks");
  const ip = options.ip ?? "127.0.0.1";
  const expose = options.expose ?? false;
  checkIp(ip, expose);
  const token = options.token ?? randomToken();
  if (!token) throw new LabError('token: expected a non-empty token, found ""');
  const jupyter = join(venvBin(root), "jupyter");
  for (const [what, path] of [["jupyter", jupyter], ["the Deno kernelspec", kernelDir(root)]]) {
    try {
      await Deno.stat(path);
    } catch {
      throw new Error(`lab: expected ${what} at ${path}, found nothing (run \`deno task setup\`)`);
    }
  }
  const askedPort = options.port ?? DEFAULT_PORT;
  const args = [
    "lab",
    `--ServerApp.root_dir=${dir}`,
    `--ServerApp.ip=${ip}`,
    `--ServerApp.port=${askedPort}`,
    // An explicit port is taken or refused; the default one moves on if busy.
    `--ServerApp.port_retries=${options.port === undefined ? 50 : 0}`,
    `--ServerApp.open_browser=${options.openBrowser ? "True" : "False"}`,
    `--ServerApp.allow_remote_access=${expose ? "True" : "False"}`,
    // Containers and CI often run as root; Jupyter refuses that without this.
    "--ServerApp.allow_root=True",
    // No calls home: no update check and no news feed.
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.news_url=None",
  ];
  // In a session of its own, so that Ctrl-C reaches only `deno task lab`,
  // which then shuts the server and its kernels down in order ({@linkcode stop}).
  const child = new Deno.Command(join(venvBin(root), "python"), {
    args: [
      "-c",
      "import os, sys; os.setsid(); os.execv(sys.argv[1], sys.argv[1:])",
      jupyter,
      ...args,
    ],
    cwd: dir,
    // The token travels in the environment, not argv (which `ps` shows everyone).
    env: {
      ...options.env,
      JUPYTER_TOKEN: token,
      PATH: `${venvBin(root)}:${Deno.env.get("PATH") ?? ""}`,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const log = options.log ?? ((line: string) => console.error(line));
  const recent: string[] = [];
  let onLine: ((line: string) => void) | undefined;
  const readers: ReadableStreamDefaultReader<string>[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.pipeThrough(new TextDecoderStream()).pipeThrough(
      new TextLineStream() as TransformStream<string, string>,
    )
      .getReader();
    readers.push(reader);
    while (true) {
      const { value: line, done } = await reader.read();
      if (done) return;
      recent.push(line);
      if (recent.length > 40) recent.shift();
      log(line);
      onLine?.(line);
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  // A kernel inherits the server's pipes: once the server has exited, stop
  // reading them after a moment instead of waiting for every kernel to close them.
  const status = child.status.then(async (s) => {
    if (!(await settlesWithin(pumps, 1_000))) await Promise.all(readers.map((r) => r.cancel()));
    return s;
  });
  let api: { host: string; port: number } | null = null;

  /**
   * Jupyter's own shutdown first (it stops its kernels), then SIGTERM, then
   * SIGKILL; last, any process the server had started (kernels run in
   * sessions of their own) that is still alive is killed too.
   */
  const stop = async (timeoutMs = 10_000): Promise<Deno.CommandStatus> => {
    const python = join(venvBin(root), "python");
    const family = await descendants(child.pid, python);
    const end = Date.now() + timeoutMs;
    if (api) {
      await httpStatus(api.host, api.port, {
        method: "POST",
        path: "/api/shutdown",
        headers: { Authorization: `token ${token}` },
      }).catch(() => 0);
    }
    for (const signal of [null, "SIGTERM", "SIGKILL"] as const) {
      if (signal) {
        try {
          child.kill(signal);
        } catch {
          // Already gone.
        }
      }
      const wait = signal === "SIGKILL" ? Infinity : Math.max(0, (end - Date.now()) / 2);
      if (await settlesWithin(status, wait)) break;
    }
    await killAll(family, python);
    return await status;
  };

  const deadline = Date.now() + (options.startTimeout ?? 120) * 1000;
  const host = ip === "::1" || ip === "::" ? "[::1]" : "127.0.0.1";
  let port: number;
  try {
    port = await logUrlPort(status, (f) => onLine = f, deadline, options.signal);
    onLine = undefined;
    await waitListening(host, port, deadline, options.signal);
    api = { host, port };
    // Through loopback when the address includes it; another address would need its own permission.
    if (LOOPBACK.has(ip) || ip === "0.0.0.0" || ip === "::") {
      await checkPrivate(host, port, token);
    }
  } catch (e) {
    await stop(5_000);
    throw new Error(
      `lab: JupyterLab did not start: ${(e as Error).message}\nlast log lines:\n${
        recent.slice(-15).join("\n")
      }`,
    );
  }
  const baseUrl = `http://${host}:${port}`;
  return {
    url: `${baseUrl}/lab?token=${token}`,
    baseUrl,
    port,
    token,
    pid: child.pid,
    status,
    stop,
  };
}

/** The port in Jupyter's "… is running at: http://HOST:PORT/lab?token=…" log line. */
function logUrlPort(
  status: Promise<Deno.CommandStatus>,
  listen: (onLine: (line: string) => void) => void,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("no URL in its log before the start timeout")),
      Math.max(0, deadline - Date.now()),
    );
    const done = (f: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", aborted);
      f();
    };
    const aborted = () => done(() => reject(new Error("stopped while starting")));
    signal?.addEventListener("abort", aborted);
    if (signal?.aborted) aborted();
    listen((line) => {
      const m = line.match(/https?:\/\/\S+?:(\d+)\/lab\b/);
      if (m) done(() => resolve(Number(m[1])));
    });
    status.then((s) =>
      done(() => reject(new Error(`it exited with code ${s.code} before listening`)))
    );
  });
}

/** Retries until the port accepts a connection (Jupyter logs its URL a moment before). */
async function waitListening(
  host: string,
  port: number,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  while (true) {
    if (signal?.aborted) throw new Error("stopped while starting");
    try {
      await httpStatus(host, port, { path: "/api/status" });
      return;
    } catch (e) {
      if (!(e instanceof Deno.errors.ConnectionRefused) || Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Throws unless /api/status refuses a request without the token and accepts one with it. */
async function checkPrivate(host: string, port: number, token: string): Promise<void> {
  const anonymous = await httpStatus(host, port, { path: "/api/status" });
  if (anonymous !== 403 && anonymous !== 401) {
    throw new Error(
      `an unauthenticated request to /api/status got HTTP ${anonymous}, expected 403 ` +
        `(does a Jupyter config file disable the token?); stopped it`,
    );
  }
  const authed = await httpStatus(host, port, {
    path: "/api/status",
    headers: { Authorization: `token ${token}` },
  });
  if (authed !== 200) {
    throw new Error(
      `a request with the token to /api/status got HTTP ${authed}, expected 200 ` +
        `(does a Jupyter config file set another token?); stopped it`,
    );
  }
}

/**
 * The status code of a plain HTTP/1.1 request (GET unless `method`), spoken over TCP directly so that
 * no HTTP_PROXY setting can route a loopback check elsewhere.
 */
export async function httpStatus(
  host: string,
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string> } = {},
): Promise<number> {
  const hostname = host.replace(/^\[(.*)\]$/, "$1");
  const conn = await Deno.connect({ hostname, port });
  try {
    const headers = Object.entries({ ...options.headers, Connection: "close" })
      .map(([k, v]) => `${k}: ${v}\r\n`).join("");
    const request = `${options.method ?? "GET"} ${
      options.path ?? "/"
    } HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Length: 0\r\n${headers}\r\n`;
    await conn.write(new TextEncoder().encode(request));
    const decoder = new TextDecoder();
    const buf = new Uint8Array(4096);
    let head = "";
    while (!head.includes("\r\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      head += decoder.decode(buf.subarray(0, n), { stream: true });
    }
    const m = head.match(/^HTTP\/1\.[01] (\d{3})/);
    if (!m) {
      throw new Error(
        `${
          options.method ?? "GET"
        } ${options.path} from ${host}:${port}: expected an HTTP status line, found ${
          JSON.stringify(head.slice(0, 80))
        }`,
      );
    }
    return Number(m[1]);
  } finally {
    conn.close();
  }
}
