/**
 * Builds the native `tensorflow` backend (@tensorflow/tfjs-node) without its
 * install script, which downloads libtensorflow from a host these machines
 * cannot reach. Instead:
 *
 * (a) `.venv/` gets the pinned PyPI wheel `tensorflow-cpu` (requirements.txt),
 *     which ships libtensorflow_cc.so.2 (the TF_/TFE_ C API),
 *     libtensorflow_framework.so.2 and the C headers;
 * (b) the tfjs-node package folder's `deps/include` and `deps/lib` link to
 *     them, under the names binding.gyp links (`-ltensorflow`,
 *     `-ltensorflow_framework`) and the SONAMEs the loader looks for;
 * (c) node-gyp compiles `lib/napi-v8/tfjs_binding.node` against the system's
 *     Node headers. Its RUNPATH `$ORIGIN/../../deps/lib` finds the links, so
 *     no LD_LIBRARY_PATH is needed;
 * (d) a child Deno process loads it and runs an op.
 *
 * Every step is skipped when its stamp says it is already done.
 */
import { dirname, join, relative } from "node:path";
import { exists, readText, sha256Hex } from "../io/fs.ts";
import { runSetupCommand } from "./command.ts";
import { BINDING, NAPI_VERSION } from "../backends/tensorflow_binding.ts";

/** node-gyp from npm, exact version (12.x still supports Node 20). */
export const NODE_GYP_VERSION = "12.4.0";

const BUILD_STAMP = `lib/napi-v${NAPI_VERSION}/infogan-build.json`;
const VENV_STAMP = ".requirements.sha256";

/** Options of {@linkcode setupNative}. */
export interface SetupNativeOptions {
  /** The project root (holds requirements.txt, .venv/ and node_modules/). */
  root: string;
  /** Progress lines; silent by default. */
  log?: (msg: string) => void;
}

/**
 * Creates `.venv`, links libtensorflow into tfjs-node and builds its binding,
 * then verifies it loads. Idempotent: a second run only checks the stamps
 * and reloads the binding. Throws an Error naming the failing step.
 */
export async function setupNative(options: SetupNativeOptions): Promise<void> {
  const { root } = options;
  const log = options.log ?? (() => {});
  const python = await ensureVenv(root, log);
  const wheel = await wheelInfo(python);
  const pkg = await tfjsNodeDir(root);
  await linkDeps(pkg, wheel);
  await buildBinding(pkg, wheel, log);
  await verifyBinding(root, log);
}

/** Step (a): `.venv` with requirements.txt installed; returns its python. */
async function ensureVenv(root: string, log: (msg: string) => void): Promise<string> {
  const step = "(a) venv";
  const venv = join(root, ".venv");
  const python = join(venv, "bin", "python");
  let requirements: Uint8Array;
  try {
    requirements = await Deno.readFile(join(root, "requirements.txt"));
  } catch (e) {
    throw new Error(`native setup ${step}: cannot read requirements.txt: ${(e as Error).message}`);
  }
  const hash = await sha256Hex(requirements);
  if (!(await exists(python))) {
    log("setup: creating .venv");
    await run(step, "python3", ["-m", "venv", venv], { cwd: root });
  }
  const stamp = join(venv, VENV_STAMP);
  if ((await readText(stamp))?.trim() === hash) {
    log("setup: .venv already matches requirements.txt");
    return python;
  }
  log("setup: pip install -r requirements.txt (the first time downloads about 300 MB)");
  await run(step, python, [
    "-m",
    "pip",
    "install",
    "--disable-pip-version-check",
    "--quiet",
    "-r",
    join(root, "requirements.txt"),
  ], { cwd: root });
  await Deno.writeTextFile(stamp, hash + "\n");
  return python;
}

/** Where the wheel's libraries and headers are, and its version. */
interface WheelInfo {
  version: string;
  /** The installed `tensorflow` package folder. */
  dir: string;
}

const WHEEL_FILES = [
  "libtensorflow_cc.so.2",
  "libtensorflow_framework.so.2",
  "include/tensorflow/c/c_api.h",
  "include/tensorflow/c/eager/c_api.h",
];

async function wheelInfo(python: string): Promise<WheelInfo> {
  const step = "(b) locate the tensorflow-cpu wheel";
  // find_spec on a top-level package locates it without importing it (fast).
  const script = [
    "import importlib.metadata as m, importlib.util as u, json",
    "s = u.find_spec('tensorflow')",
    "print(json.dumps({'version': m.version('tensorflow-cpu'),",
    "  'dir': list(s.submodule_search_locations)[0] if s else ''}))",
  ].join("\n");
  const out = await run(step, python, ["-c", script], {});
  const info = JSON.parse(out) as WheelInfo;
  for (const file of WHEEL_FILES) {
    if (!(await exists(join(info.dir, file)))) {
      throw new Error(
        `native setup ${step}: expected ${file} in ${
          JSON.stringify(info.dir)
        } (tensorflow-cpu ${info.version}), found nothing`,
      );
    }
  }
  return info;
}

/** The real folder of the installed @tensorflow/tfjs-node package. */
async function tfjsNodeDir(root: string): Promise<string> {
  const link = join(root, "node_modules", "@tensorflow", "tfjs-node");
  try {
    const dir = await Deno.realPath(link);
    const pkg = JSON.parse(await Deno.readTextFile(join(dir, "package.json")));
    if (pkg.name !== "@tensorflow/tfjs-node") throw new Error(`package.json names ${pkg.name}`);
    return dir;
  } catch (e) {
    throw new Error(
      `native setup (b) link libtensorflow: expected @tensorflow/tfjs-node at ${link} ` +
        `(run \`deno install\` first), found: ${(e as Error).message}`,
    );
  }
}

/** Step (b): deps/include and deps/lib point into the wheel. */
async function linkDeps(pkg: string, wheel: WheelInfo): Promise<void> {
  try {
    await linkDepsUnchecked(pkg, wheel);
  } catch (e) {
    throw new Error(
      `native setup (b) link libtensorflow: in ${pkg}/deps: ${(e as Error).message}`,
    );
  }
}

async function linkDepsUnchecked(pkg: string, wheel: WheelInfo): Promise<void> {
  const lib = join(pkg, "deps", "lib");
  await Deno.mkdir(lib, { recursive: true });
  await symlink(join(pkg, "deps", "include"), join(wheel.dir, "include"));
  // SONAMEs: what the binding (and libtensorflow_cc itself) asks the loader for.
  await symlink(join(lib, "libtensorflow_cc.so.2"), join(wheel.dir, "libtensorflow_cc.so.2"));
  await symlink(
    join(lib, "libtensorflow_framework.so.2"),
    join(wheel.dir, "libtensorflow_framework.so.2"),
  );
  // Link-time names: binding.gyp passes -ltensorflow -ltensorflow_framework.
  await symlink(join(lib, "libtensorflow.so"), join(lib, "libtensorflow_cc.so.2"));
  await symlink(join(lib, "libtensorflow.so.2"), join(lib, "libtensorflow_cc.so.2"));
  await symlink(
    join(lib, "libtensorflow_framework.so"),
    join(lib, "libtensorflow_framework.so.2"),
  );
}

/** Step (c): node-gyp rebuild, unless the stamp matches the wheel. */
async function buildBinding(
  pkg: string,
  wheel: WheelInfo,
  log: (msg: string) => void,
): Promise<void> {
  const step = "(c) build the binding";
  const pkgJson = JSON.parse(await Deno.readTextFile(join(pkg, "package.json")));
  const stamp = JSON.stringify({
    tfjsNode: pkgJson.version,
    tensorflowCpu: wheel.version,
    nodeGyp: NODE_GYP_VERSION,
    napi: NAPI_VERSION,
  });
  const stampPath = join(pkg, BUILD_STAMP);
  if ((await exists(join(pkg, BINDING))) && (await readText(stampPath))?.trim() === stamp) {
    log(`setup: tfjs_binding.node already built against tensorflow-cpu ${wheel.version}`);
    return;
  }
  const nodedir = await nodeHeadersDir();
  log(`setup: node-gyp ${NODE_GYP_VERSION} rebuild (headers from ${nodedir})`);
  await run(step, "npx", [
    "-y",
    `node-gyp@${NODE_GYP_VERSION}`,
    "rebuild",
    "--module_name=tfjs_binding",
    // Absolute: a relative module_path lands under build/, not the package.
    `--module_path=${join(pkg, dirname(BINDING))}`,
    `--napi_build_version=${NAPI_VERSION}`,
    `--nodedir=${nodedir}`,
    "--jobs=max",
  ], { cwd: pkg });
  if (!(await exists(join(pkg, BINDING)))) {
    throw new Error(`native setup ${step}: node-gyp succeeded but ${BINDING} is missing`);
  }
  await Deno.writeTextFile(stampPath, stamp + "\n");
}

/**
 * The folder whose include/node/ holds the Node headers: npm's `nodedir`
 * setting, else the prefix of the `node` on PATH, else /usr or /usr/local.
 * With it node-gyp needs no download.
 */
async function nodeHeadersDir(): Promise<string> {
  const step = "(c) find the Node headers";
  const candidates: string[] = [];
  const fromNpm = (await run(step, "npm", ["config", "get", "nodedir"], {})).trim();
  if (fromNpm && fromNpm !== "undefined" && fromNpm !== "null") candidates.push(fromNpm);
  try {
    const exe = (await run(step, "node", ["-p", "process.execPath"], {})).trim();
    candidates.push(dirname(dirname(await Deno.realPath(exe))));
  } catch {
    // No node on PATH: fall through to the usual prefixes.
  }
  candidates.push("/usr", "/usr/local");
  for (const dir of candidates) {
    const headers = join(dir, "include", "node");
    if (
      (await exists(join(headers, "node_api.h"))) && (await exists(join(headers, "common.gypi")))
    ) {
      return dir;
    }
  }
  throw new Error(
    `native setup ${step}: expected include/node/node_api.h and common.gypi under one of ${
      candidates.join(", ")
    }, found none (install Node's headers, or set npm's nodedir)`,
  );
}

/** Step (d): a child Deno loads the binding with the tasks' permissions. */
async function verifyBinding(root: string, log: (msg: string) => void): Promise<void> {
  const out = await run("(d) verify", Deno.execPath(), [
    "run",
    "--quiet",
    "--no-prompt",
    ...TENSORFLOW_PERMISSIONS,
    join(root, "lib", "backends", "tensorflow.ts"),
  ], { cwd: root });
  log(`setup: ${out.trim().split("\n").at(-1)}`);
}

/** The Deno permissions that loading the tensorflow backend needs (run from the root). */
export const TENSORFLOW_PERMISSIONS: readonly string[] = [
  "--allow-read",
  "--allow-env",
  "--allow-ffi=node_modules",
];

/** Runs a command; returns its stdout. */
function run(
  step: string,
  cmd: string,
  args: string[],
  options: { cwd?: string },
): Promise<string> {
  return runSetupCommand(cmd, args, { step: `native setup ${step}`, cwd: options.cwd });
}

/** Makes `path` a symlink to `target` (relative, so the tree can move). */
async function symlink(path: string, target: string): Promise<void> {
  const want = relative(dirname(path), target);
  try {
    const info = await Deno.lstat(path);
    if (info.isSymlink && (await Deno.readLink(path)) === want) return;
    await Deno.remove(path, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.symlink(want, path);
}
