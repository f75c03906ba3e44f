/**
 * `deno task lab`: runs `deno task setup` (idempotent), then serves
 * notebooks/ in JupyterLab (`setup/lab_server.ts`), private to this machine
 * unless asked otherwise. Ctrl-C stops the server and every kernel it started.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkIp, DEFAULT_PORT, LabError, type LabServer, startLab } from "../setup/lab_server.ts";
import type { Value } from "../infogan/values.ts";
import { type CommandSpec, runCommand, UsageError } from "./args.ts";

const COMMAND: CommandSpec = {
  usage: "deno task lab [flags]",
  description:
    "Set up (deno task setup, idempotent), then open the notebooks in JupyterLab with the Deno kernel. " +
    "Private by default: listens on 127.0.0.1 only and requires a token (JUPYTER_TOKEN if set, else a random one). " +
    "INFOGAN_* environment variables reach the notebooks.",
  flags: {
    port: {
      kind: "int",
      min: 0,
      max: 65_535,
      defaultText: `${DEFAULT_PORT}, or the next free one`,
      help: "port to listen on (0: any free port)",
    },
    "no-browser": { kind: "bool", help: "do not open a browser tab" },
    dir: { kind: "string", help: "folder to serve (default notebooks/)" },
    ip: {
      kind: "string",
      default: "127.0.0.1",
      help: "address to listen on; a non-loopback one needs --expose",
    },
    expose: {
      kind: "bool",
      help: "confirm listening on a non-loopback --ip (the token is still required)",
    },
    "no-setup": { kind: "bool", help: "skip `deno task setup` (when it has just run)" },
  },
  footer: [
    "To reach it from another machine, prefer an SSH tunnel and keep the default:",
    "  ssh -L 8888:127.0.0.1:8888 HOST   then open the printed URL locally.",
    "To listen on other addresses deliberately (anyone who can reach the port and knows the",
    "token can run code as you; use a firewall or a trusted network):",
    "  deno task lab --ip 0.0.0.0 --expose --no-browser",
  ].join("\n"),
};

async function main(v: Record<string, Value>): Promise<void> {
  const ip = v.ip as string;
  const expose = v.expose === true;
  try {
    checkIp(ip, expose);
  } catch (e) {
    throw e instanceof LabError ? new UsageError(e.message) : e;
  }
  const port = v.port as number | undefined;
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

if (import.meta.main) await runCommand(COMMAND, main);
