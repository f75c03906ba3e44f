/**
 * Keeps the import rules of lib/'s parts (docs/architecture.md): data flows one
 * way, from the algorithm in infogan/ out to the commands in cli/. Every import
 * in lib/ and test/ is parsed; a break names the file, the line and the rule.
 */
import { assertEquals } from "@std/assert";
import { dirname, fromFileUrl, join, relative } from "@std/path";

const ROOT = fromFileUrl(new URL("..", import.meta.url));
const LIB = join(ROOT, "lib");

type Part = "infogan" | "data" | "io" | "eval" | "viz" | "backends" | "setup" | "cli" | "api";

/** The parts each part may import, besides itself and npm packages. */
const MAY_IMPORT: Readonly<Record<Part, readonly Part[]>> = {
  infogan: [],
  data: [], // and infogan/random.ts alone: see `allowed`
  io: ["infogan", "data"],
  eval: ["infogan", "data", "io"],
  viz: ["infogan", "eval"],
  backends: ["infogan"], // types only: see `allowed`
  setup: ["backends", "io"],
  cli: ["infogan", "data", "io", "eval", "viz", "backends", "setup", "api"],
  api: ["infogan", "data", "io", "eval", "viz", "backends", "setup"],
};

/** The files of cli/ that its commands share; one command never imports another. */
const CLI_SHARED = ["lib/cli/args.ts", "lib/cli/flags.ts"];

/** The only files allowed at lib/'s top level: the notebooks' API. */
const TOP_LEVEL = ["mod.ts", "notebook.ts"];

export interface ImportSite {
  file: string;
  line: number;
  specifier: string;
  typeOnly: boolean;
}

/** Every static and dynamic import or re-export in `source`, with its line. */
export function importsOf(file: string, source: string): ImportSite[] {
  const sites: ImportSite[] = [];
  const text = source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .replace(/(^|[^:"'`])\/\/[^\n]*/g, (c, p) => p + " ".repeat(c.length - p.length));
  const patterns = [
    /\b(import|export)\s+(type\s+)?[^"'`;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const [i, re] of patterns.entries()) {
    for (const m of text.matchAll(re)) {
      const specifier = i === 0 ? m[3] : m[1];
      const typeOnly = i === 0 && m[2] !== undefined;
      const line = text.slice(0, m.index).split("\n").length;
      sites.push({ file, line, specifier, typeOnly });
    }
  }
  return sites;
}

function partOf(libPath: string): Part {
  const [head, ...rest] = libPath.split("/");
  if (rest.length === 0) return "api";
  return head as Part;
}

/** Null when `site` keeps the rules, else the rule it breaks. */
export function brokenRule(site: ImportSite): string | null {
  const from = relative(ROOT, site.file);
  if (!site.specifier.startsWith(".")) {
    if (from.startsWith("lib/infogan/") && site.specifier.startsWith("node:")) {
      return "infogan/ imports tfjs and itself only (no node: modules)";
    }
    return null;
  }
  const target = relative(ROOT, join(dirname(site.file), site.specifier));
  if (from.startsWith("test/")) {
    return target.startsWith("lib/cli/")
      ? "nothing imports lib/cli/, tests included (run the command instead)"
      : null;
  }
  if (!from.startsWith("lib/")) return null;
  if (!target.startsWith("lib/")) return `lib/ imports only lib/ (found ${target})`;
  const a = partOf(relative("lib", from));
  const b = partOf(relative("lib", target));
  if (b === "cli" && a !== "cli") return "nothing imports lib/cli/";
  if (a === "cli" && b === "cli" && !CLI_SHARED.includes(target)) {
    return "a command imports only cli/args.ts and cli/flags.ts of cli/ (found another command)";
  }
  if (a === b) return null;
  if (a === "data" && target === "lib/infogan/random.ts") return null;
  if (a === "backends" && b === "infogan" && !site.typeOnly) {
    return "backends/ imports infogan/ types only (use `import type`)";
  }
  if (MAY_IMPORT[a].includes(b)) return null;
  const allowed = MAY_IMPORT[a].map((p) => `${p}/`).join(", ") || "nothing";
  return `${a === "api" ? "lib/" : `${a}/`} may import ${allowed} (found ${b}/)`;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory && e.name !== "fixtures") files.push(...await sourceFiles(path));
    else if (e.isFile && e.name.endsWith(".ts")) files.push(path);
  }
  return files.sort();
}

Deno.test("every import in lib/ and test/ keeps the import rules of lib/'s parts", async () => {
  const breaks: string[] = [];
  for (const dir of ["lib", "test"]) {
    for (const file of await sourceFiles(join(ROOT, dir))) {
      for (const site of importsOf(file, await Deno.readTextFile(file))) {
        const rule = brokenRule(site);
        if (rule) breaks.push(`${relative(ROOT, file)}:${site.line}: "${site.specifier}": ${rule}`);
      }
    }
  }
  assertEquals(breaks, []);
});

Deno.test("infogan/ uses no Deno API: the algorithm runs anywhere tfjs does", async () => {
  const breaks: string[] = [];
  for (const file of await sourceFiles(join(LIB, "infogan"))) {
    const lines = (await Deno.readTextFile(file)).split("\n");
    for (const [i, line] of lines.entries()) {
      const code = line.replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, "");
      if (/\bDeno\./.test(code)) breaks.push(`${relative(ROOT, file)}:${i + 1}: uses Deno.*`);
    }
  }
  assertEquals(breaks, []);
});

Deno.test("lib/ holds only mod.ts and notebook.ts at its top level", async () => {
  const top: string[] = [];
  for await (const e of Deno.readDir(LIB)) if (e.isFile) top.push(e.name);
  assertEquals(top.sort(), TOP_LEVEL);
});

Deno.test("brokenRule() names the rule an import breaks", () => {
  const site = (file: string, specifier: string, typeOnly = false): ImportSite => ({
    file: join(ROOT, file),
    line: 1,
    specifier,
    typeOnly,
  });
  assertEquals(
    brokenRule(site("lib/infogan/train.ts", "../data/mnist.ts")),
    "infogan/ may import nothing (found data/)",
  );
  assertEquals(
    brokenRule(site("lib/infogan/train.ts", "node:fs")),
    "infogan/ imports tfjs and itself only (no node: modules)",
  );
  assertEquals(brokenRule(site("lib/data/mnist.ts", "../infogan/random.ts")), null);
  assertEquals(
    brokenRule(site("lib/data/mnist.ts", "../infogan/config.ts")),
    "data/ may import nothing (found infogan/)",
  );
  assertEquals(
    brokenRule(site("lib/viz/explorer.ts", "../io/checkpoint.ts")),
    "viz/ may import infogan/, eval/ (found io/)",
  );
  assertEquals(
    brokenRule(site("lib/backends/tensorflow.ts", "../setup/native.ts")),
    "backends/ may import infogan/ (found setup/)",
  );
  assertEquals(brokenRule(site("lib/backends/select.ts", "../infogan/config.ts", true)), null);
  assertEquals(
    brokenRule(site("lib/backends/select.ts", "../infogan/config.ts")),
    "backends/ imports infogan/ types only (use `import type`)",
  );
  assertEquals(brokenRule(site("lib/notebook.ts", "./cli/args.ts")), "nothing imports lib/cli/");
  assertEquals(
    brokenRule(site("test/cli_test.ts", "../lib/cli/sweep.ts")),
    "nothing imports lib/cli/, tests included (run the command instead)",
  );
  assertEquals(brokenRule(site("lib/cli/train.ts", "../io/run_dir.ts")), null);
  assertEquals(brokenRule(site("lib/cli/train.ts", "./flags.ts")), null);
  assertEquals(
    brokenRule(site("lib/cli/export.ts", "./evaluate.ts")),
    "a command imports only cli/args.ts and cli/flags.ts of cli/ (found another command)",
  );
  assertEquals(brokenRule(site("lib/eval/evaluate.ts", "../io/checkpoint.ts")), null);
});

Deno.test("importsOf() finds static, dynamic and type imports and skips comments", () => {
  const src = [
    'import { a } from "./a.ts";',
    '// import { b } from "./b.ts";',
    "import type { C } from './c.ts';",
    'export { d } from "./d.ts";',
    'const e = await import("./e.ts");',
    "import {",
    "  f,",
    '} from "./f.ts";',
    '/* import { g } from "./g.ts"; */',
  ].join("\n");
  const sites = importsOf("x.ts", src).map((s) => [s.specifier, s.line, s.typeOnly]);
  assertEquals(sites.sort(), [
    ["./a.ts", 1, false],
    ["./c.ts", 3, true],
    ["./d.ts", 4, false],
    ["./e.ts", 5, false],
    ["./f.ts", 6, false],
  ]);
});
