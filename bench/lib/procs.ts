// Processes the bench starts: CPU time of a process tree (from /proc), the ports a process listens
// on, and stopping a whole tree by process id.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux everywhere we run). */
const TICKS = 100;

interface Stat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, in milliseconds. */
  cpuMs: number;
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may itself hold spaces or parentheses.
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const rest = text.slice(close + 2).split(" ");
    // Fields after the name start at field 3 (state): ppid is field 4, utime 14, stime 15.
    const ppid = Number(rest[1]);
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return { pid, ppid, comm, cpuMs: ((utime + stime) * 1000) / TICKS };
  } catch {
    return null;
  }
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** The process and all its descendants, as they are now. */
export function processTree(root: number): Stat[] {
  const stats = allStats();
  const byParent = new Map<number, Stat[]>();
  for (const s of stats) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  const rootStat = stats.find((s) => s.pid === root);
  if (!rootStat) return [];
  const out: Stat[] = [];
  const queue = [rootStat];
  while (queue.length) {
    const s = queue.shift()!;
    out.push(s);
    queue.push(...(byParent.get(s.pid) ?? []));
  }
  return out;
}

export interface CpuSnapshot {
  /** CPU ms per process id (with its command name), for every process of the tree. */
  perPid: Map<number, { comm: string; cpuMs: number }>;
  /** Machine-wide busy and total jiffies from /proc/stat, as ms of CPU time. */
  machineBusyMs: number;
  machineTotalMs: number;
  /** This (the load generator's) process CPU, ms. */
  selfMs: number;
}

function machineTimes(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest fields are already in user/nice).
  const idle = f[3] + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: ((total - idle) * 1000) / TICKS, total: (total * 1000) / TICKS };
}

export function cpuSnapshot(roots: number[]): CpuSnapshot {
  const perPid = new Map<number, { comm: string; cpuMs: number }>();
  for (const root of roots) for (const s of processTree(root)) perPid.set(s.pid, { comm: s.comm, cpuMs: s.cpuMs });
  const m = machineTimes();
  const u = process.cpuUsage();
  return { perPid, machineBusyMs: m.busy, machineTotalMs: m.total, selfMs: (u.user + u.system) / 1000 };
}

export interface CpuDelta {
  /** CPU ms used by the tree between the snapshots (processes that appeared count from zero). */
  totalMs: number;
  /** The same, by command name (workerd, node, …). */
  byCommand: Record<string, number>;
  /** Machine-wide: every core's busy time, and how much of it was neither the tree nor the load generator. */
  machineBusyMs: number;
  otherMs: number;
  selfMs: number;
  /** Busy share of all cores over the interval (0..1). */
  machineBusyShare: number;
}

export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuDelta {
  let totalMs = 0;
  const byCommand: Record<string, number> = {};
  for (const [pid, a] of after.perPid) {
    const d = Math.max(0, a.cpuMs - (before.perPid.get(pid)?.cpuMs ?? 0));
    totalMs += d;
    byCommand[a.comm] = (byCommand[a.comm] ?? 0) + d;
  }
  const machineBusyMs = after.machineBusyMs - before.machineBusyMs;
  const selfMs = after.selfMs - before.selfMs;
  const span = after.machineTotalMs - before.machineTotalMs;
  return {
    totalMs,
    byCommand,
    machineBusyMs,
    selfMs,
    otherMs: Math.max(0, machineBusyMs - totalMs - selfMs),
    machineBusyShare: span > 0 ? machineBusyMs / span : 0,
  };
}

/** TCP ports a process listens on (IPv4 and IPv6), from its socket fds and /proc/net/tcp*. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        // fd closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address rem_address st ... inode (field 9); st 0A = LISTEN
      if (f.length > 9 && f[3] === "0A" && inodes.has(f[9])) ports.push(parseInt(f[1].split(":")[1], 16));
    }
  }
  return [...new Set(ports)];
}

/** Every process the bench started, so that all of them are stopped on the way out, even on error. */
const started: ChildProcess[] = [];

/** Starts a process in its own process group (so its whole tree can be stopped) and remembers it. */
export function startProcess(command: string, args: string[], opts: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...opts, detached: true });
  started.push(child);
  return child;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a process, its group and any descendant that left the group: SIGTERM, then SIGKILL. */
export async function stopTree(child: ChildProcess, graceMs = 3000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const pids = processTree(pid).map((s) => s.pid);
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // group gone
    }
    for (const p of pids) {
      try {
        process.kill(p, sig);
      } catch {
        // already gone
      }
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  if (pids.some(alive)) signal("SIGKILL");
  const i = started.indexOf(child);
  if (i >= 0) started.splice(i, 1);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((c) => stopTree(c)));
}

/** Synchronous last resort (process "exit" handler): SIGKILL every group still running. */
export function killAllNow(): void {
  for (const c of started) {
    if (c.pid === undefined) continue;
    for (const p of processTree(c.pid).map((s) => s.pid)) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // gone
      }
    }
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}
