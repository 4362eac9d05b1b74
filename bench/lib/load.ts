// Load scenarios: autocannon against 127.0.0.1 for a fixed time, with the CPU time of the server's
// processes read from /proc before and after.
//
// Scenarios that are compared with each other run interleaved: after one warm-up each, every
// scenario gets a slice of its time in turn, round after round (A B C A B C …). Background load that
// comes and goes during the run (other work on this shared machine) then weighs on all of them alike,
// and their ratios stay fair. Latency percentiles come from every response's own time, over all the
// rounds.
import autocannon from "autocannon";
import { cpuDelta, cpuSnapshot, type CpuDelta } from "./procs.ts";

export interface LoadOptions {
  name: string;
  /** The URL, or a function giving it when each slice starts (the server's address may change). */
  url: string | (() => string);
  /** Root process ids of this scenario's server, when not the settings' ones. */
  serverPids?: number[];
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** A fresh body for every request (POST), from a number unique within the scenario. */
  body?: (n: number) => string;
  /** Called with every answer's status and body (warm-up included), e.g. to list what was accepted. */
  onAnswer?: (status: number, body: string) => void;
}

export interface LoadSettings {
  connections: number;
  /** Measured seconds per scenario, over all rounds. */
  durationS: number;
  warmupS: number;
  rounds: number;
  /** Root process ids of the server whose CPU time is counted. */
  serverPids: number[];
  /** Called before each slice (e.g. to check that the server still answers). */
  before?: (o: LoadOptions) => Promise<void>;
}

export interface LoadResult {
  url: string;
  method: string;
  connections: number;
  rounds: number;
  durationS: number;
  requests: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  bytesPerRequest: number;
  cpu: CpuDelta;
  cpuMsPerRequest: number;
  /** Status codes of the warm-up run (not measured; its POSTs are stored too). */
  warmupStatusCodes: Record<string, number>;
}

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") throw new Error(`the bench only loads 127.0.0.1, not ${host}`);
}

interface Result {
  duration: number;
  statusCodeStats?: Record<string, { count: number | string }>;
  errors: number;
  timeouts: number;
  throughput: { total: number };
}

interface Tracker extends Promise<Result> {
  on(event: "response", fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}

const urlOf = (o: LoadOptions) => (typeof o.url === "function" ? o.url() : o.url);

function fire(o: LoadOptions, connections: number, durationS: number, counter: { n: number }, latencies: number[] | null): Promise<Result> {
  const u = new URL(urlOf(o));
  assertLoopback(u.href);
  const request: Record<string, unknown> = { method: o.method ?? "GET", path: u.pathname + u.search };
  if (o.body) {
    const body = o.body;
    request.setupRequest = (req: Record<string, unknown>) => ({ ...req, body: body(counter.n++) });
  }
  if (o.onAnswer) request.onResponse = o.onAnswer;
  // sampleInt: autocannon checks for the end of the run at each sample; 100 ms keeps a 2 s slice at 2 s.
  const tracker = autocannon({
    url: u.origin,
    connections,
    duration: durationS,
    sampleInt: 100,
    timeout: 10,
    headers: o.headers ?? {},
    requests: [request],
  }) as Tracker;
  if (latencies) tracker.on("response", (_c, _s, _b, ms) => latencies.push(ms));
  return tracker;
}

function codes(r: Result): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) out[code] = Number(s.count);
  return out;
}

function addCodes(into: Record<string, number>, more: Record<string, number>): void {
  for (const [k, v] of Object.entries(more)) into[k] = (into[k] ?? 0) + v;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function sumCpu(a: CpuDelta | null, b: CpuDelta): CpuDelta {
  if (!a) return { ...b, byCommand: { ...b.byCommand } };
  const byCommand = { ...a.byCommand };
  for (const [k, v] of Object.entries(b.byCommand)) byCommand[k] = (byCommand[k] ?? 0) + v;
  return {
    totalMs: a.totalMs + b.totalMs,
    byCommand,
    machineBusyMs: a.machineBusyMs + b.machineBusyMs,
    otherMs: a.otherMs + b.otherMs,
    selfMs: a.selfMs + b.selfMs,
    machineBusyShare: (a.machineBusyShare + b.machineBusyShare) / 2,
  };
}

/** Runs the scenarios interleaved (see the top of this file); one result per scenario, in order. */
export async function measureTogether(list: LoadOptions[], s: LoadSettings, log: (line: string) => void = () => {}): Promise<LoadResult[]> {
  const counters = list.map(() => ({ n: 0 }));
  const acc = list.map(() => ({
    statusCodes: {} as Record<string, number>,
    warm: {} as Record<string, number>,
    latencies: [] as number[],
    duration: 0,
    errors: 0,
    timeouts: 0,
    bytes: 0,
    cpu: null as CpuDelta | null,
  }));
  if (s.warmupS > 0) {
    for (const [i, o] of list.entries()) {
      await s.before?.(o);
      acc[i].warm = codes(await fire(o, s.connections, s.warmupS, counters[i], null));
    }
  }
  const slice = s.durationS / s.rounds;
  for (let round = 1; round <= s.rounds; round++) {
    log(`round ${round}/${s.rounds}: ${list.map((o) => o.name).join(", ")} (${slice.toFixed(1)} s each)`);
    for (const [i, o] of list.entries()) {
      await s.before?.(o);
      const a = acc[i];
      const pids = o.serverPids ?? s.serverPids;
      const before = cpuSnapshot(pids);
      const r = await fire(o, s.connections, slice, counters[i], a.latencies);
      const after = cpuSnapshot(pids);
      a.cpu = sumCpu(a.cpu, cpuDelta(before, after));
      addCodes(a.statusCodes, codes(r));
      a.duration += r.duration;
      a.errors += r.errors;
      a.timeouts += r.timeouts;
      a.bytes += r.throughput.total;
    }
  }
  return list.map((o, i) => {
    const a = acc[i];
    const requests = Object.values(a.statusCodes).reduce((x, y) => x + y, 0);
    const sorted = [...a.latencies].sort((x, y) => x - y);
    const cpu = a.cpu!;
    return {
      url: urlOf(o),
      method: o.method ?? "GET",
      connections: s.connections,
      rounds: s.rounds,
      durationS: a.duration,
      requests,
      rps: a.duration > 0 ? requests / a.duration : 0,
      latencyMs: {
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        mean: sorted.length ? sorted.reduce((x, y) => x + y, 0) / sorted.length : 0,
        max: sorted.at(-1) ?? 0,
      },
      statusCodes: a.statusCodes,
      errors: a.errors,
      timeouts: a.timeouts,
      bytesPerRequest: requests ? a.bytes / requests : 0,
      cpu,
      cpuMsPerRequest: requests ? cpu.totalMs / requests : 0,
      warmupStatusCodes: a.warm,
    };
  });
}
