// The Worker's own CPU time, apart from the local simulators: V8's sampling profiler on the
// Worker's isolate, through wrangler dev's DevTools inspector. workerd runs the Worker, the local
// D1, KV and cache simulators (other isolates) and its own HTTP work on one thread, so the
// process's CPU time counts them all; the profiler takes a sample only while the Worker's isolate
// is running, so its samples, times the sampling interval, are the Worker's CPU time: its
// JavaScript, the runtime's native work done for it (HTMLRewriter, crypto, the D1 binding's
// wrapper) and its garbage collection. That is what Cloudflare counts as a Worker's CPU time.
import autocannon from "autocannon";

export interface IsolateCpu {
  requests: number;
  /** Milliseconds of the Worker isolate's CPU per request, and its parts. */
  msPerRequest: number;
  js: number;
  native: number;
  gc: number;
  samples: number;
  intervalUs: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string };
}

export interface Profiler {
  /** Loads `url` for `durationS` seconds (after a 1 s warm-up) with the profiler on. */
  measure(url: string, opts: { connections: number; durationS: number }): Promise<IsolateCpu>;
  close(): void;
}

export async function openProfiler(port: number, intervalUs = 500): Promise<Profiler> {
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
      await autocannon({ url, connections: opts.connections, duration: 1 });
      send("Profiler.start");
      await new Promise((r) => setTimeout(r, 200));
      const run = (await autocannon({ url, connections: opts.connections, duration: opts.durationS })) as { requests: { total: number } };
      const { profile } = (await answer("Profiler.stop")) as { profile: { nodes: ProfileNode[]; samples: number[] } };
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
      const ms = (n: number) => (n * intervalUs) / 1000 / Math.max(1, requests);
      return {
        requests,
        msPerRequest: ms(counts.js + counts.native + counts.gc),
        js: ms(counts.js),
        native: ms(counts.native),
        gc: ms(counts.gc),
        samples: profile.samples.length,
        intervalUs,
      };
    },
    close() {
      socket.close();
    },
  };
}
