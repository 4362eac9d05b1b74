// The Worker's own CPU time, apart from the local simulators: V8's sampling profiler on the
// Worker's isolate, through wrangler dev's DevTools inspector. workerd runs the Worker, the local
// D1, KV and cache simulators (other isolates) and its own HTTP work on one thread, so the
// process's CPU time counts them all; the profiler takes a sample only while the Worker's isolate
// is running, so its samples, times the sampling interval, are the Worker's CPU time: its
// JavaScript, the runtime's native work done for it (HTMLRewriter, crypto, the D1 binding's
// wrapper) and its garbage collection. That is what Cloudflare counts as a Worker's CPU time.
import { readdirSync, readFileSync } from "node:fs";
import autocannon from "autocannon";

export interface IsolateCpu {
  requests: number;
  /**
   * Of the time workerd's busiest thread wanted the CPU during the run, the share it got
   * (/proc/<pid>/task/<tid>/schedstat: time run ÷ (time run + time waiting for a core)); null when
   * not known. V8's sampler runs on a wall clock: a sample taken while the thread waits for a core
   * is counted as the isolate's, so on a busy machine the raw samples overstate its CPU time. The
   * figures below are corrected by this share (raw samples × share).
   */
  runShare: number | null;
  /** Milliseconds of the Worker isolate's CPU per request, and its parts. */
  msPerRequest: number;
  js: number;
  native: number;
  gc: number;
  samples: number;
  intervalUs: number;
  /** Where the time went: per function, ms per request spent in it (self) and under it (total). */
  functions: FunctionCpu[];
  /** ms per request in each of the load's `groups` (a sample goes to the first group with a frame on its stack), and "other". */
  groups: Record<string, number>;
}

export interface FunctionCpu {
  /** The function's name and where it is (file:line, 1-based), e.g. "renderCommentHtml workers/render/markdown.ts:40". */
  name: string;
  selfMs: number;
  totalMs: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/** What to load: a GET of a URL, or a request made fresh each time (a POST with a new body). */
export interface Load {
  connections: number;
  durationS: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** A fresh body for every request, from a number unique within the run. */
  body?: (n: number) => string;
  /** Milliseconds to keep profiling after the load (e.g. for queue batches it left behind). */
  settleMs?: number;
  /** The workerd process running the Worker: the samples are corrected for the time its thread waited for a core. */
  pid?: number | null;
  /**
   * Parts to tell apart, in order: a sample belongs to the first whose pattern matches a frame on
   * its stack ("function module"). V8 does not join stacks across an await: work resumed after one
   * is seen under the function that resumed, not under its caller.
   */
  groups?: [string, RegExp][];
}

/** Says which source module a line of the served script comes from (see bench/cpu.ts moduleOfLine). */
export type Locate = (url: string, line: number) => string | null;

/** A readable name for a profile node: its function, and its module when it has one. */
function frameName(f: ProfileNode["callFrame"], locate?: Locate): string {
  if (!f.url) return f.functionName || "(anonymous)";
  const where = locate?.(f.url, f.lineNumber + 1) ?? `${f.url.replace(/^.*\//, "")}:${f.lineNumber + 1}`;
  return `${f.functionName || "(anonymous)"} ${where}`;
}

/** Self and total samples per function (a function on a stack twice counts once in its total). */
/** Time run and time waiting on a run queue (ns) of each thread of a process. */
function schedstat(pid: number): Map<string, { run: number; wait: number }> {
  const out = new Map<string, { run: number; wait: number }>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").trim().split(/\s+/).map(Number);
      out.set(tid, { run, wait });
    }
  } catch {
    // gone, or no schedstat here
  }
  return out;
}

/** The share of the time it wanted a core that the busiest thread got between two readings. */
function runShareOf(before: Map<string, { run: number; wait: number }>, after: Map<string, { run: number; wait: number }>): number | null {
  let best: { run: number; wait: number } | null = null;
  for (const [tid, a] of after) {
    const b = before.get(tid);
    if (!b) continue;
    const d = { run: a.run - b.run, wait: a.wait - b.wait };
    if (!best || d.run > best.run) best = d;
  }
  return best && best.run > 0 ? best.run / (best.run + Math.max(0, best.wait)) : null;
}

function byFunction(
  nodes: ProfileNode[],
  samples: number[],
  ms: (n: number) => number,
  locate?: Locate,
  groups: [string, RegExp][] = [],
): { functions: FunctionCpu[]; groups: Record<string, number> } {
  const inGroup = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const stackOf = new Map<number, string[]>();
  for (const s of samples) {
    const node = byId.get(s);
    if (!node || node.callFrame.functionName === "(idle)") continue;
    const name = frameName(node.callFrame, locate);
    self.set(name, (self.get(name) ?? 0) + 1);
    let stack = stackOf.get(s);
    if (!stack) {
      const names = new Set<string>();
      for (let id: number | undefined = s; id !== undefined; id = parent.get(id)) {
        const n = byId.get(id);
        if (n && n.callFrame.functionName !== "(root)") names.add(frameName(n.callFrame, locate));
      }
      stack = [...names];
      stackOf.set(s, stack);
    }
    for (const name of stack) total.set(name, (total.get(name) ?? 0) + 1);
    const frames = stack;
    const group = groups.find(([, re]) => frames.some((f) => re.test(f)))?.[0] ?? "other";
    inGroup.set(group, (inGroup.get(group) ?? 0) + 1);
  }
  return {
    functions: [...total.entries()]
      .map(([name, t]) => ({ name, selfMs: ms(self.get(name) ?? 0), totalMs: ms(t) }))
      .sort((a, b) => b.totalMs - a.totalMs || b.selfMs - a.selfMs),
    groups: Object.fromEntries([...groups.map(([g]) => g), "other"].map((g) => [g, ms(inGroup.get(g) ?? 0)])),
  };
}

export interface Profiler {
  /** Loads `url` for `durationS` seconds (after a 1 s warm-up) with the profiler on. */
  measure(url: string, opts: Load): Promise<IsolateCpu>;
  close(): void;
}

export async function openProfiler(port: number, intervalUs = 500, locate?: Locate): Promise<Profiler> {
  let ws: WebSocket | null = null;
  // wrangler's inspector proxy takes DevTools' connections only (an Origin it knows).
  for (let i = 0; i < 30 && !ws; i++) {
    // @ts-expect-error undici's WebSocket (Node's) takes headers
    const w: WebSocket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Origin: "http://127.0.0.1" } });
    const open = await new Promise<boolean>((resolve) => {
      w.addEventListener("open", () => resolve(true));
      w.addEventListener("error", () => resolve(false));
    });
    if (open) ws = w;
    else await new Promise((r) => setTimeout(r, 1000));
  }
  if (!ws) throw new Error(`no DevTools inspector on 127.0.0.1:${port}`);
  const socket = ws;
  let id = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (e) => {
    const m = JSON.parse(String(e.data)) as { id?: number; result?: unknown };
    // The proxy echoes commands back; the runtime's answer is the one with a result.
    if (m.id !== undefined && "result" in m) waiting.get(m.id)?.(m.result);
  });
  const send = (method: string, params = {}) => {
    socket.send(JSON.stringify({ id: ++id, method, params }));
    return id;
  };
  const answer = (method: string) =>
    new Promise<unknown>((resolve, reject) => {
      const n = send(method);
      const timer = setTimeout(() => reject(new Error(`the inspector did not answer ${method}`)), 30_000);
      waiting.set(n, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  send("Profiler.enable");
  send("Profiler.setSamplingInterval", { interval: intervalUs });
  await new Promise((r) => setTimeout(r, 300));
  return {
    async measure(url, opts) {
      let n = 0;
      const body = opts.body;
      const fire = (duration: number) =>
        autocannon({
          url,
          connections: opts.connections,
          duration,
          method: opts.method ?? "GET",
          headers: opts.headers ?? {},
          ...(body ? { requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body(n++) }) }] } : {}),
        }) as Promise<{ requests: { total: number }; non2xx: number }>;
      await fire(1);
      if (opts.settleMs) await new Promise((r) => setTimeout(r, opts.settleMs));
      send("Profiler.start");
      await new Promise((r) => setTimeout(r, 200));
      const schedBefore = opts.pid ? schedstat(opts.pid) : null;
      const run = await fire(opts.durationS);
      if (run.non2xx > 0) throw new Error(`${run.non2xx} of ${run.requests.total} answers to ${url} were not 2xx`);
      if (opts.settleMs) await new Promise((r) => setTimeout(r, opts.settleMs));
      const { profile } = (await answer("Profiler.stop")) as { profile: { nodes: ProfileNode[]; samples: number[] } };
      const runShare = opts.pid && schedBefore ? runShareOf(schedBefore, schedstat(opts.pid)) : null;
      const kind = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]));
      const counts = { js: 0, native: 0, gc: 0 };
      for (const s of profile.samples) {
        const name = kind.get(s);
        if (name === "(idle)") continue;
        if (name === "(garbage collector)") counts.gc++;
        else if (name === "(program)") counts.native++;
        else counts.js++;
      }
      const requests = run.requests.total;
      const ms = (n: number) => ((runShare ?? 1) * n * intervalUs) / 1000 / Math.max(1, requests);
      return {
        requests,
        runShare,
        msPerRequest: ms(counts.js + counts.native + counts.gc),
        js: ms(counts.js),
        native: ms(counts.native),
        gc: ms(counts.gc),
        samples: profile.samples.length,
        intervalUs,
        ...byFunction(profile.nodes, profile.samples, ms, locate, opts.groups),
      };
    },
    close() {
      socket.close();
    },
  };
}
