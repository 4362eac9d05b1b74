// One measured load scenario: autocannon against 127.0.0.1 for a fixed time, with the CPU time of
// the server's processes read from /proc before and after.
import autocannon from "autocannon";
import { cpuDelta, cpuSnapshot, type CpuDelta } from "./procs.ts";

export interface LoadOptions {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** A fresh body for every request (POST). */
  body?: (n: number) => string;
  /** Called with every answer's status and body (warm-up included), e.g. to list what was accepted. */
  onAnswer?: (status: number, body: string) => void;
  connections: number;
  durationS: number;
  warmupS: number;
  /** Root process ids of the server whose CPU time is counted. */
  serverPids: number[];
}

export interface LoadResult {
  url: string;
  method: string;
  connections: number;
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
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  statusCodeStats?: Record<string, { count: number | string }>;
  errors: number;
  timeouts: number;
  throughput: { total: number };
}

function fire(opts: LoadOptions, durationS: number, counter: { n: number }): Promise<Result> {
  const path = new URL(opts.url);
  const request: Record<string, unknown> = { method: opts.method ?? "GET", path: path.pathname + path.search };
  if (opts.body) {
    const body = opts.body;
    request.setupRequest = (req: Record<string, unknown>) => ({ ...req, body: body(counter.n++) });
  }
  if (opts.onAnswer) request.onResponse = opts.onAnswer;
  return autocannon({
    url: path.origin,
    connections: opts.connections,
    duration: durationS,
    timeout: 10,
    headers: opts.headers ?? {},
    requests: [request],
  }) as Promise<Result>;
}

export async function measure(opts: LoadOptions): Promise<LoadResult> {
  assertLoopback(opts.url);
  const counter = { n: 0 };
  const warm = opts.warmupS > 0 ? await fire(opts, opts.warmupS, counter) : null;
  const before = cpuSnapshot(opts.serverPids);
  const r = await fire(opts, opts.durationS, counter);
  const after = cpuSnapshot(opts.serverPids);
  const cpu = cpuDelta(before, after);
  const statusCodes = codes(r);
  const requests = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    url: opts.url,
    method: opts.method ?? "GET",
    connections: opts.connections,
    durationS: r.duration,
    requests,
    rps: requests / r.duration,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, mean: r.latency.average, max: r.latency.max },
    statusCodes,
    errors: r.errors,
    timeouts: r.timeouts,
    bytesPerRequest: requests ? r.throughput.total / requests : 0,
    cpu,
    cpuMsPerRequest: requests ? cpu.totalMs / requests : 0,
    warmupStatusCodes: warm ? codes(warm) : {},
  };
}

function codes(r: Result): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) out[code] = Number(s.count);
  return out;
}
