/**
 * The processes a child has started, found through Linux's /proc, so that
 * stopping a server can also stop what it leaves behind (Jupyter's kernels
 * run in sessions of their own). Elsewhere there is no /proc, and the lists
 * are empty.
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

/** `/proc/<pid>/stat`'s parent id and start time; null when the process is gone (or no /proc). */
function procStat(pid: number): { ppid: number; start: string } | null {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name, which may hold spaces: state ppid … starttime (field 22).
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), start: fields[19] };
  } catch {
    return null;
  }
}

/** Every live descendant of `root` (Linux /proc; none elsewhere). */
export function descendants(root: number): ProcessId[] {
  const children = new Map<number, ProcessId[]>();
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync("/proc")];
  } catch {
    return [];
  }
  for (const e of entries) {
    const pid = Number(e.name);
    if (!Number.isInteger(pid)) continue;
    const stat = procStat(pid);
    if (stat) {
      children.set(stat.ppid, [...children.get(stat.ppid) ?? [], { pid, start: stat.start }]);
    }
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

/** Whether `p` is still the same live process. */
export function alive(p: ProcessId): boolean {
  return procStat(p.pid)?.start === p.start;
}

/** SIGTERM to each live process of `family`, then SIGKILL to those left after a second. */
export async function killAll(family: readonly ProcessId[]): Promise<void> {
  const signal = (s: Deno.Signal) => {
    for (const p of family.filter(alive)) {
      try {
        Deno.kill(p.pid, s);
      } catch {
        // Gone meanwhile.
      }
    }
  };
  if (!family.some(alive)) return;
  signal("SIGTERM");
  const end = Date.now() + 1_000;
  while (family.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  signal("SIGKILL");
}
