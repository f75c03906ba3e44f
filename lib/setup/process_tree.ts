/**
 * The processes a child has started, found through Linux's /proc, so that
 * stopping a server can also stop what it leaves behind (Jupyter's kernels
 * run in sessions of their own). Deno opens /proc only with every
 * permission, so the table is read by the venv's Python. Without /proc (or
 * Python) the table is empty and nothing is killed.
 *
 * @module
 */

/** Whether `p` settles within `ms` milliseconds. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms === Infinity) return await p.then(() => true, () => true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((done) => timer = setTimeout(() => done(false), ms));
  const settled = p.then(() => true, () => true);
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A process, told apart from a later one with the same id by its start time. */
export interface ProcessId {
  pid: number;
  start: string;
}

/** Prints "pid ppid starttime" for every process in /proc. */
const TABLE_SCRIPT = `
import os
for name in os.listdir("/proc"):
    if name.isdigit():
        try:
            stat = open(f"/proc/{name}/stat").read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        print(name, fields[1], fields[19])
`;

/** Every process's parent and start time, by id (empty without /proc or Python). */
async function processTable(python: string): Promise<Map<number, { ppid: number; start: string }>> {
  const table = new Map<number, { ppid: number; start: string }>();
  const out = await new Deno.Command(python, {
    args: ["-c", TABLE_SCRIPT],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => null);
  if (!out?.success) return table;
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const [pid, ppid, start] = line.split(" ");
    if (start) table.set(Number(pid), { ppid: Number(ppid), start });
  }
  return table;
}

/** Every live descendant of `root`, read with `python`. */
export async function descendants(root: number, python: string): Promise<ProcessId[]> {
  const children = new Map<number, ProcessId[]>();
  for (const [pid, { ppid, start }] of await processTable(python)) {
    children.set(ppid, [...children.get(ppid) ?? [], { pid, start }]);
  }
  const out: ProcessId[] = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c.pid);
    }
  }
  return out;
}

/** The processes of `family` that are still alive (the same id and start time). */
async function living(family: readonly ProcessId[], python: string): Promise<ProcessId[]> {
  const table = await processTable(python);
  return family.filter((p) => table.get(p.pid)?.start === p.start);
}

/** SIGTERM to each live process of `family`, then SIGKILL to those left after a second. */
export async function killAll(family: readonly ProcessId[], python: string): Promise<void> {
  const signal = (list: ProcessId[], s: Deno.Signal) => {
    for (const p of list) {
      try {
        Deno.kill(p.pid, s);
      } catch {
        // Gone meanwhile.
      }
    }
  };
  let left = await living(family, python);
  if (left.length === 0) return;
  signal(left, "SIGTERM");
  const end = Date.now() + 1_000;
  while (left.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    left = await living(left, python);
  }
  signal(left, "SIGKILL");
}
