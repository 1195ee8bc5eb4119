import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time of process trees from /proc (Linux), for benchmarks that must say where the cores went: a process's
 * utime+stime plus cutime+cstime (its reaped children), summed over the process and every live descendant. A
 * child that exits inside a window moves its time into its parent's cutime when reaped, so a tree's total only
 * grows and the difference of two snapshots is the tree's CPU over the window, short-lived children included
 * (PostgreSQL backends, nginx workers). Worker threads are in their process's own utime/stime.
 */

/** Clock ticks per second of /proc's times (USER_HZ): 100 on every Linux the benchmarks run on. */
const TICKS_PER_S = 100;
const MS_PER_TICK = 1000 / TICKS_PER_S;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime + cutime + cstime, in ticks. */
  ticks: number;
}

/** /proc/PID/stat: "pid (comm) state ppid ..." with utime, stime, cutime, cstime at fields 14-17 (comm may hold spaces). */
const parseStat = (text: string): ProcStat | undefined => {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is field 3 (state): field N is fields[N - 3].
  const number = (field: number): number => Number(fields[field - 3]);
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: number(4),
    ticks: number(14) + number(15) + number(16) + number(17),
  };
};

/** Every process readable right now. Processes that vanish while being read are skipped. */
export const readProcesses = (): Map<number, ProcStat> => {
  const processes = new Map<number, ProcStat>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseStat(readFileSync(`/proc/${entry}/stat`, "utf8"));
      if (stat !== undefined) processes.set(stat.pid, stat);
    } catch {
      // Exited between readdir and read.
    }
  }
  return processes;
};

/** The process and all its live descendants. */
export const treeOf = (processes: Map<number, ProcStat>, root: number): ProcStat[] => {
  const children = new Map<number, ProcStat[]>();
  for (const stat of processes.values()) {
    const list = children.get(stat.ppid) ?? [];
    list.push(stat);
    children.set(stat.ppid, list);
  }
  const tree: ProcStat[] = [];
  const pending = processes.has(root) ? [processes.get(root) as ProcStat] : [];
  while (pending.length > 0) {
    const next = pending.pop() as ProcStat;
    tree.push(next);
    pending.push(...(children.get(next.pid) ?? []));
  }
  return tree;
};

/** CPU milliseconds a tree has used so far (0 if the root is gone). */
export const treeCpuMs = (processes: Map<number, ProcStat>, root: number): number =>
  treeOf(processes, root).reduce((sum, stat) => sum + stat.ticks, 0) * MS_PER_TICK;

/** Descendants of `root` whose command is `comm`, that are not themselves under another such process: e.g. nginx masters. */
export const topmostNamed = (processes: Map<number, ProcStat>, root: number, comm: string): number[] => {
  const named = treeOf(processes, root).filter((stat) => stat.comm === comm);
  const pids = new Set(named.map((stat) => stat.pid));
  return named.filter((stat) => !pids.has(stat.ppid)).map((stat) => stat.pid);
};

/** The whole machine's CPU from /proc/stat's first line: busy (everything but idle and iowait) and all, in ms. */
export const machineCpuMs = (): { busy: number; total: number } => {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already inside user and nice).
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) * MS_PER_TICK, total: total * MS_PER_TICK };
};

/** The postmaster's pid: the first line of postmaster.pid in the cluster's data directory. */
export const postmasterPid = (dataDir: string): number => Number(readFileSync(`${dataDir}/postmaster.pid`, "utf8").split("\n")[0]);

/**
 * Context switches of a process's main thread so far (/proc/PID/status): voluntary (it waited: I/O, an idle event
 * loop) and involuntary (the scheduler took the core away). Zero for a process that is gone.
 */
export const contextSwitches = (pid: number): { voluntary: number; involuntary: number } => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
    return { voluntary: field("voluntary_ctxt_switches"), involuntary: field("nonvoluntary_ctxt_switches") };
  } catch {
    return { voluntary: 0, involuntary: 0 };
  }
};
