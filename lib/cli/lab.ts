/**
 * `deno task lab`: runs `deno task setup` (idempotent), then serves
 * notebooks/ in JupyterLab from `.venv/`, with the Deno kernel that setup
 * registered there.
 *
 * Private by default: the server listens on 127.0.0.1 only and every request
 * needs the token (JUPYTER_TOKEN if set, else a fresh random one). After the
 * start it checks itself: an unauthenticated API request must be refused and
 * an authenticated one accepted, else it stops (a Jupyter config file that
 * disables the token cannot silently open it). Listening on another address
 * needs `--ip ADDR --expose`; the token stays required.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { kernelDir, venvBin } from "../setup/jupyter.ts";
import { type FlagSpec, helpText, parseArgs, runMain, UsageError } from "./args.ts";

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
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Validates the listen address: loopback, or anything with `expose`. */
export function checkIp(ip: string, expose: boolean): void {
  if (ip === "") {
    throw new UsageError(`--ip: expected an address, found "" (which means every interface)`);
  }
  if (!LOOPBACK.has(ip) && !expose) {
    throw new UsageError(
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
  if (!token) throw new UsageError('token: expected a non-empty token, found ""');
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
  const child = new Deno.Command(jupyter, {
    args,
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
  const pump = (stream: ReadableStream<Uint8Array>) =>
    (async () => {
      for await (const line of stream.pipeThrough(new TextDecoderStream()).pipeThrough(lines())) {
        recent.push(line);
        if (recent.length > 40) recent.shift();
        log(line);
        onLine?.(line);
      }
    })();
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status.then(async (s) => {
    await pumps.catch(() => {});
    return s;
  });

  const stop = async (timeoutMs = 20_000): Promise<Deno.CommandStatus> => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killed = new Promise<void>((done) => {
      timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // Already gone.
        }
        done();
      }, timeoutMs);
    });
    const result = await Promise.race([status, killed.then(() => status)]);
    clearTimeout(timer);
    return result;
  };

  const deadline = Date.now() + (options.startTimeout ?? 120) * 1000;
  const host = ip === "::1" || ip === "::" ? "[::1]" : "127.0.0.1";
  let port: number;
  try {
    port = await logUrlPort(status, (f) => onLine = f, deadline, options.signal);
    onLine = undefined;
    await waitListening(host, port, deadline, options.signal);
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
 * The status code of a plain HTTP/1.1 GET, spoken over TCP directly so that
 * no HTTP_PROXY setting can route a loopback check elsewhere.
 */
export async function httpStatus(
  host: string,
  port: number,
  options: { path?: string; headers?: Record<string, string> } = {},
): Promise<number> {
  const hostname = host.replace(/^\[(.*)\]$/, "$1");
  const conn = await Deno.connect({ hostname, port });
  try {
    const headers = Object.entries({ ...options.headers, Connection: "close" })
      .map(([k, v]) => `${k}: ${v}\r\n`).join("");
    const request = `GET ${
      options.path ?? "/"
    } HTTP/1.1\r\nHost: ${host}:${port}\r\n${headers}\r\n`;
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
        `GET ${options.path} from ${host}:${port}: expected an HTTP status line, found ${
          JSON.stringify(head.slice(0, 80))
        }`,
      );
    }
    return Number(m[1]);
  } finally {
    conn.close();
  }
}

/** Splits text into lines. */
function lines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const part of parts) controller.enqueue(part.replace(/\r$/, ""));
    },
    flush(controller) {
      if (rest) controller.enqueue(rest);
    },
  });
}

const SPECS: Record<string, FlagSpec> = {
  port: {
    kind: "int",
    help: `port to listen on (default ${DEFAULT_PORT}, or the next free one; 0: any free port)`,
  },
  "no-browser": { kind: "bool", help: "do not open a browser tab" },
  dir: { kind: "string", help: "folder to serve (default notebooks/)" },
  ip: {
    kind: "string",
    help: "address to listen on (default 127.0.0.1); a non-loopback one needs --expose",
  },
  expose: {
    kind: "bool",
    help: "confirm listening on a non-loopback --ip (the token is still required)",
  },
  "no-setup": { kind: "bool", help: "skip `deno task setup` (when it has just run)" },
};

async function main(): Promise<void> {
  const parsed = parseArgs(Deno.args, SPECS);
  if (parsed.help) {
    console.log(helpText("deno task lab [flags]", {
      description:
        "Set up (deno task setup, idempotent), then open the notebooks in JupyterLab with the Deno kernel. " +
        "Private by default: listens on 127.0.0.1 only and requires a token (JUPYTER_TOKEN if set, else a random one). " +
        "INFOGAN_* environment variables reach the notebooks.",
      specs: SPECS,
      footer: [
        "To reach it from another machine, prefer an SSH tunnel and keep the default:",
        "  ssh -L 8888:127.0.0.1:8888 HOST   then open the printed URL locally.",
        "To listen on other addresses deliberately (anyone who can reach the port and knows the",
        "token can run code as you; use a firewall or a trusted network):",
        "  deno task lab --ip 0.0.0.0 --expose --no-browser",
      ].join("\n"),
    }));
    return;
  }
  const v = parsed.values;
  const ip = (v.ip as string | undefined) ?? "127.0.0.1";
  const expose = v.expose === true;
  checkIp(ip, expose);
  const port = v.port as number | undefined;
  if (port !== undefined && (port < 0 || port > 65535)) {
    throw new UsageError(`--port: expected an integer in [0, 65535], found ${port}`);
  }
  const envToken = Deno.env.get("JUPYTER_TOKEN");
  if (envToken === "") {
    throw new UsageError(
      "JUPYTER_TOKEN is set but empty, which would disable authentication: unset it or set a value",
    );
  }
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const dir = resolve(Deno.cwd(), (v.dir as string | undefined) ?? join(root, "notebooks"));
  if (!(await Deno.stat(dir).then((s) => s.isDirectory, () => false))) {
    throw new UsageError(`--dir: expected a folder, found nothing at ${dir}`);
  }

  // Ctrl-C or SIGTERM at any point stops the server (and kernels) cleanly.
  const abort = new AbortController();
  let server: LabServer | undefined;
  const stopping = () => {
    if (abort.signal.aborted) return;
    abort.abort();
    console.error("lab: stopping JupyterLab (kernels are shut down)…");
    server?.stop();
  };
  Deno.addSignalListener("SIGINT", stopping);
  Deno.addSignalListener("SIGTERM", stopping);
  try {
    if (v["no-setup"] !== true) {
      const setup = await new Deno.Command(Deno.execPath(), {
        args: ["task", "-q", "setup"],
        cwd: root,
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
      }).output();
      if (abort.signal.aborted) return;
      if (!setup.success) throw new Error(`deno task setup failed with exit code ${setup.code}`);
    }
    try {
      server = await startLab({
        root,
        dir,
        port,
        ip,
        expose,
        openBrowser: v["no-browser"] !== true,
        token: envToken,
        signal: abort.signal,
      });
    } catch (e) {
      if (abort.signal.aborted) return;
      throw e;
    }
    console.log(`\nJupyterLab is serving ${dir} with the Deno kernel (${Deno.execPath()}).`);
    console.log(`Open:\n    ${server.url}\n`);
    if (expose) {
      console.log(
        `WARNING: listening on ${ip}, port ${server.port}: from other machines use this machine's ` +
          `address with ?token=…; anyone who can reach the port and knows the token can run code as you.`,
      );
    } else {
      console.log(`Listening on ${ip} only (private to this machine). Press Ctrl-C to stop.`);
    }
    const status = await server.status;
    // A stop that we asked for, or one by a signal, is clean; an exit code otherwise is not.
    if (!abort.signal.aborted && status.signal === null && status.code !== 0) {
      throw new Error(`JupyterLab exited with code ${status.code}`);
    }
  } finally {
    Deno.removeSignalListener("SIGINT", stopping);
    Deno.removeSignalListener("SIGTERM", stopping);
  }
}

if (import.meta.main) await runMain(main);
