// npm run bench:distance [-- --save] — what a reader far from the database's primary waits for.
//
// D1 has one primary; a reader whose request reaches a Worker far from it pays every sequential
// round trip to it. This bench serves the seed site (bench/lib/billet.ts: the dry-run bundle under
// wrangler dev) with D1_DELAY_MS set to 0, 50 and 150 ms (workers/db/round-trips.ts adds that to
// every round trip: a reader near, far and very far from the primary), and measures, a few readers
// at a time, one after the other for each: a comment's creation, the comments JSON right after it
// (the creation made this isolate forget the post's version), and the post page right after a
// change (PAGE_CACHE=off: every reader is the first after a change). Each answer's round trips are
// read from its Server-Timing header. Aim: creation answered within 2 × the delay + 10 ms.
// Writes bench/results/distance.{md,json}; --save also writes docs/bench-distance.md.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../scripts/content.ts";
import { roundTripsOf } from "../workers/http/server-timing.ts";
import { prepare, startBillet } from "./lib/billet.ts";
import { commentBody } from "./lib/comments.ts";
import { get } from "./lib/http.ts";
import { killAllNow, stopAll } from "./lib/procs.ts";
import { workerBundle } from "./lib/sizes.ts";

const SLUG = "reseaux-sociaux-trois-ans-apres";
export const DELAYS_MS = [0, 50, 150];
const KINDS = ["creation", "json", "page"] as const;
type Kind = (typeof KINDS)[number];

export interface DistanceCell {
  delayMs: number;
  kind: Kind;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** The round trips the answers reported (Server-Timing), from fewest to most. */
  roundTrips: number[];
  /** Answers other than the expected status (none when all is well). */
  failures: number;
}

export interface DistanceResult {
  date: string;
  /** The machine's load average (1 min) when the run began and ended: other work on it shows in every figure. */
  loadAverage: number[];
  iterations: number;
  readers: number;
  cells: DistanceCell[];
  /** Creation within 2 × delay + 10 ms at p50, per delay. */
  creationWithinAim: Record<string, boolean>;
  /** What the distance adds to creation at p50: its p50 at that delay less its p50 at 0 ms (the Worker's own time on this machine). */
  creationAddedMs: Record<string, number>;
  problems: string[];
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const round1 = (x: number) => Math.round(x * 10) / 10;

async function timed(url: string, init: RequestInit | undefined, ok: number[]): Promise<{ ms: number; trips: number | null; ok: boolean }> {
  const t = performance.now();
  const res = await get(url, init);
  await res.arrayBuffer();
  return { ms: performance.now() - t, trips: roundTripsOf(res.headers.get("Server-Timing")), ok: ok.includes(res.status) };
}

export async function runDistanceBench(opts: {
  /** A directory of the caller's, removed by the caller. */
  tmp: string;
  port: number;
  /** The Worker bundle to serve (`wrangler deploy --dry-run` output); made here when absent. */
  script?: string;
  /** Creations (each followed by a JSON read and a page) per delay. */
  iterations: number;
  /** Readers at a time. */
  readers: number;
  log: (line: string) => void;
}): Promise<DistanceResult> {
  const script = opts.script ?? join(opts.tmp, "distance-bundle", "index.js");
  if (!opts.script) await workerBundle(join(opts.tmp, "distance-bundle"));
  const result: DistanceResult = {
    date: new Date().toISOString(),
    loadAverage: [round1(loadavg()[0])],
    iterations: opts.iterations,
    readers: opts.readers,
    cells: [],
    creationWithinAim: {},
    creationAddedMs: {},
    problems: [],
  };
  const runId = Date.now().toString(36);
  let n = 0;
  // One local set-up (build, migrations, seed), copied fresh for each delay.
  const prep = await prepare(opts.tmp, SLUG);
  for (const delay of DELAYS_MS) {
    opts.log(`distance: D1 ${delay} ms away (a fresh copy of the seed state, wrangler dev)`);
    const dir = mkdtempSync(join(opts.tmp, `distance-${delay}-`));
    const persistTo = join(dir, "state");
    cpSync(prep.persistTo, persistTo, { recursive: true });
    const b = await startBillet({
      tmp: dir,
      port: opts.port,
      script,
      persistTo,
      publicDir: prep.publicDir,
      ceilingBytes: prep.ceilingBytes,
      direct: true,
      vars: { D1_DELAY_MS: String(delay), PAGE_CACHE: "off" },
    });
    try {
      const samples: Record<Kind, { ms: number[]; trips: number[]; failures: number }> = {
        creation: { ms: [], trips: [], failures: 0 },
        json: { ms: [], trips: [], failures: 0 },
        page: { ms: [], trips: [], failures: 0 },
      };
      const note = (kind: Kind, s: { ms: number; trips: number | null; ok: boolean }) => {
        samples[kind].ms.push(s.ms);
        if (s.trips !== null) samples[kind].trips.push(s.trips);
        if (!s.ok) samples[kind].failures++;
      };
      const base = b.runtimeUrl;
      // A warm-up round: the isolate compiled and its caches filled.
      await timed(`${base}/posts/${SLUG}/`, undefined, [200]);
      let left = opts.iterations;
      await Promise.all(
        Array.from({ length: opts.readers }, async () => {
          while (left-- > 0) {
            const body = commentBody(runId, n++);
            note(
              "creation",
              await timed(`${base}/api/posts/${SLUG}/comments`, { method: "POST", headers: { "Content-Type": "application/json" }, body }, [201, 202]),
            );
            note("json", await timed(`${base}/api/posts/${SLUG}/comments`, undefined, [200]));
            note("page", await timed(`${base}/posts/${SLUG}/`, undefined, [200]));
          }
        }),
      );
      for (const kind of KINDS) {
        const ms = samples[kind].ms.sort((x, y) => x - y);
        const cell: DistanceCell = {
          delayMs: delay,
          kind,
          requests: ms.length,
          p50Ms: round1(percentile(ms, 50)),
          p99Ms: round1(percentile(ms, 99)),
          roundTrips: [...new Set(samples[kind].trips)].sort((x, y) => x - y),
          failures: samples[kind].failures,
        };
        result.cells.push(cell);
        if (cell.failures) result.problems.push(`${kind} at ${delay} ms: ${cell.failures} answers with an unexpected status`);
        if (samples[kind].trips.length < ms.length) result.problems.push(`${kind} at ${delay} ms: answers without a d1 Server-Timing entry`);
        if (kind === "creation") {
          result.creationWithinAim[String(delay)] = cell.p50Ms <= 2 * delay + 10;
          const near = result.cells.find((c) => c.kind === "creation" && c.delayMs === 0);
          if (near) result.creationAddedMs[String(delay)] = round1(cell.p50Ms - near.p50Ms);
        }
      }
    } finally {
      await b.stop();
    }
  }
  result.loadAverage.push(round1(loadavg()[0]));
  return result;
}

export function distanceMarkdown(r: DistanceResult): string {
  const cell = (delay: number, kind: Kind) => r.cells.find((c) => c.delayMs === delay && c.kind === kind);
  const label: Record<Kind, string> = {
    creation: "creation (POST)",
    json: "the comments JSON right after a creation",
    page: "the post page right after a change",
  };
  const lines = [
    "## Far from the database (bench/distance.ts)",
    "",
    `D1_DELAY_MS added to every D1 round trip (a reader near, far and very far from the database's primary), ${r.iterations} creations a delay, each followed by the JSON and the page, ${r.readers} readers at a time, under wrangler dev on this machine (${cpus().length} cores, load average ${r.loadAverage.join(" → ")} during the run: the p50 at 0 ms is this machine's time, not the Worker's). Round trips as each answer's Server-Timing says them. Aim: creation within 2 × delay + 10 ms.`,
    "",
    `| request | round trips | ${DELAYS_MS.map((d) => `${d} ms: p50 / p99`).join(" | ")} |`,
    `|---|---|${DELAYS_MS.map(() => "---").join("|")}|`,
  ];
  for (const kind of KINDS) {
    const trips = [...new Set(DELAYS_MS.flatMap((d) => cell(d, kind)?.roundTrips ?? []))].sort((x, y) => x - y).join(", ");
    lines.push(
      `| ${label[kind]} | ${trips || "?"} | ${DELAYS_MS.map((d) => {
        const c = cell(d, kind);
        return c ? `${c.p50Ms} / ${c.p99Ms} ms` : "–";
      }).join(" | ")} |`,
    );
  }
  lines.push(
    "",
    `Creation within the aim (p50 ≤ 2 × delay + 10 ms): ${DELAYS_MS.map((d) => `${d} ms: ${r.creationWithinAim[String(d)] ? "yes" : "**no**"}`).join("; ")}. What the distance adds to creation's p50 (its p50 less the p50 at 0 ms, which is this machine's own time for the Worker, the local D1 and the client): ${DELAYS_MS.filter(
      (d) => d > 0,
    )
      .map((d) => `${d} ms: ${r.creationAddedMs[String(d)] ?? "?"} ms (2 × delay = ${2 * d})`)
      .join("; ")}.`,
  );
  if (r.problems.length) lines.push("", ...r.problems.map((p) => `- **problem**: ${p}`));
  return `${lines.join("\n")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: opt } = parseArgs({
    options: {
      iterations: { type: "string", default: "150" },
      readers: { type: "string", default: "4" },
      port: { type: "string", default: "8821" },
      save: { type: "boolean", default: false },
      "keep-temp": { type: "boolean", default: false },
    },
  });
  const tmp = mkdtempSync(join(tmpdir(), "billet-bench-distance-"));
  const stop = () => {
    killAllNow();
    process.exit(130);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    const result = await runDistanceBench({
      tmp,
      port: Number(opt.port),
      iterations: Number(opt.iterations),
      readers: Number(opt.readers),
      log: (line) => console.log(line),
    });
    const md = distanceMarkdown(result);
    const out = join(ROOT, "bench", "results");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "distance.md"), md);
    writeFileSync(join(out, "distance.json"), `${JSON.stringify(result, null, 2)}\n`);
    if (opt.save) writeFileSync(join(ROOT, "docs", "bench-distance.md"), `# Distance benchmark\n\n${md}`);
    console.log(`\n${md}`);
    if (result.problems.length) process.exitCode = 1;
  } finally {
    await stopAll();
    if (opt["keep-temp"]) console.log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}
