/**
 * `deno task lab` keeps JupyterLab private (issue 6): loopback only, token
 * required. Starts the real task as a user would, probes it over HTTP and
 * reads the listening sockets from /proc/net, then stops it with SIGTERM.
 *
 * Needs `deno task setup` (the venv with Jupyter); fails with a clear
 * message without it.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import {
  decodeProcAddress,
  httpGet,
  httpGetStatus,
  isLoopback,
  isolatedJupyterEnv,
  listeningAddresses,
  requireJupyter,
  ROOT,
  spawnLab,
} from "./lab_helpers.ts";

/** Runs `deno task lab ARGS` that should exit at once. */
async function labOnce(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "lab", ...args],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("decodeProcAddress() reads /proc/net's IPv4 and IPv6 addresses", () => {
  assertEquals(decodeProcAddress("0100007F"), "127.0.0.1");
  assertEquals(decodeProcAddress("00000000"), "0.0.0.0");
  assertEquals(decodeProcAddress("00000000000000000000000001000000"), "0:0:0:0:0:0:0:1");
  assert(isLoopback("127.0.0.1") && isLoopback("0:0:0:0:0:0:0:1"));
  assert(isLoopback("0:0:0:0:0:ffff:7f00:1"));
  assert(!isLoopback("0.0.0.0") && !isLoopback("0:0:0:0:0:0:0:0") && !isLoopback("10.0.0.1"));
});

Deno.test("deno task lab --help explains the private default and how to expose it", async () => {
  const r = await labOnce(["--help"]);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /127\.0\.0\.1/);
  assertMatch(r.stdout, /--ip 0\.0\.0\.0 --expose/);
});

Deno.test("deno task lab refuses a non-loopback --ip without --expose, and an empty token", async () => {
  const wide = await labOnce(["--ip", "0.0.0.0", "--no-setup"]);
  assertEquals(wide.code, 2, wide.stderr);
  assertMatch(wide.stderr, /^error: --ip 0\.0\.0\.0: expected a loopback address.*add --expose/m);
  const empty = await labOnce(["--no-setup"], { JUPYTER_TOKEN: "" });
  assertEquals(empty.code, 2, empty.stderr);
  assertMatch(empty.stderr, /^error: JUPYTER_TOKEN is set but empty/m);
});

Deno.test("deno task lab listens on loopback only and refuses requests without the token", async () => {
  await requireJupyter();
  const { env, cleanup } = await isolatedJupyterEnv();
  // The default: a random token (JUPYTER_TOKEN unset).
  const lab = await spawnLab(["--no-browser", "--port", "0"], { env, unset: ["JUPYTER_TOKEN"] })
    .catch(async (e) => {
      await cleanup();
      throw e;
    });
  let stopped: Deno.CommandStatus | undefined;
  try {
    assertMatch(lab.token, /^[0-9a-f]{48}$/, "a fresh random token");
    assertEquals(await httpGetStatus(lab.port, "/api/kernels"), 403, "no token");
    assertEquals(await httpGetStatus(lab.port, "/api/status"), 403, "no token");
    assertEquals(await httpGetStatus(lab.port, "/api/kernels?token=wrong"), 403, "wrong token");
    assertEquals(
      await httpGetStatus(lab.port, "/api/kernels", { Authorization: "token wrong" }),
      403,
      "wrong token",
    );
    assertEquals(
      await httpGetStatus(lab.port, "/api/kernels", { Authorization: `token ${lab.token}` }),
      200,
      "the printed token",
    );
    assertEquals(await httpGetStatus(lab.port, `/api/status?token=${lab.token}`), 200);
    // No "Would you like to get notified about official Jupyter news?" for a new user.
    const notification = JSON.parse(
      (await httpGet(
        lab.port,
        `/lab/api/settings/@jupyterlab/apputils-extension:notification?token=${lab.token}`,
      )).body,
    );
    assertEquals(
      // Overrides become the schema's defaults, which a user may still change.
      [
        notification.schema?.properties?.fetchNews?.default,
        notification.schema?.properties?.checkForUpdates?.default,
      ],
      ["false", false],
      `the lab's notification settings: ${JSON.stringify(notification.schema?.properties)}`,
    );
    const addresses = await listeningAddresses(lab.port);
    assert(addresses.length > 0, `expected a socket listening on port ${lab.port}, found none`);
    assertEquals(addresses.filter((a) => !isLoopback(a)), [], `listening on ${addresses}`);
  } finally {
    stopped = await lab.stop();
    await cleanup();
  }
  assertEquals(stopped.code, 0, `deno task lab exit after SIGTERM:\n${lab.output().slice(-2000)}`);
  assertEquals(await listeningAddresses(lab.port), [], "the port is closed after the stop");
});

Deno.test("deno task lab uses JUPYTER_TOKEN when it is set", async () => {
  await requireJupyter();
  const { env, cleanup } = await isolatedJupyterEnv();
  const token = "infogan-test-token-0123456789";
  const lab = await spawnLab(["--no-setup", "--no-browser", "--port", "0"], {
    env: { ...env, JUPYTER_TOKEN: token },
  }).catch(async (e) => {
    await cleanup();
    throw e;
  });
  try {
    assertEquals(lab.token, token);
    assertEquals(await httpGetStatus(lab.port, "/api/status"), 403);
    assertEquals(await httpGetStatus(lab.port, `/api/status?token=${token}`), 200);
  } finally {
    await lab.stop();
    await cleanup();
  }
});

Deno.test("deno task lab stops a server that a Jupyter config opened to everyone", async () => {
  await requireJupyter();
  const { env, cleanup } = await isolatedJupyterEnv();
  try {
    // A user config that disables the token: lab must not keep that server running.
    await Deno.writeTextFile(
      `${env.JUPYTER_CONFIG_DIR}/jupyter_server_config.json`,
      JSON.stringify({ IdentityProvider: { token: "" } }),
    );
    const r = await labOnce(["--no-setup", "--no-browser", "--port", "0"], env);
    assertEquals(r.code, 1, r.stderr);
    assertMatch(r.stderr, /^error: lab: JupyterLab did not start: an unauthenticated request/m);
    assert(!r.stdout.includes("Open:"), r.stdout);
  } finally {
    await cleanup();
  }
});
