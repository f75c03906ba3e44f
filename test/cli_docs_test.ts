import { assert } from "@std/assert";
import { fromFileUrl } from "@std/path";

const ROOT = fromFileUrl(new URL("..", import.meta.url));

Deno.test("docs/cli.md is what deno task docs generates from every task's --help", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "docs", "--check"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  assert(out.success, `deno task docs --check failed (run deno task docs):\n${text}`);
});
