// npm run bench:cpu — where the Worker's own CPU goes when a comment is posted (docs/bench-cpu.md).
//
// The seed site, served as the bench serves it (bench/lib/billet.ts) but from an unminified bundle
// so that the profile names functions; V8's sampling profiler on the Worker's isolate
// (bench/lib/isolate-cpu.ts) while comments are posted (each a different one, as the bench's
// creation scenario posts them), twice: with the author's emails off (wrangler.toml's default), and
// on, as `npm start` runs (one email to the author per comment, built and sent by the queue
// consumer). The consumer runs in the same isolate: its share is the time under `deliver`.
// Also used by bench/run.ts for its "Worker's own CPU" rows.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../scripts/content.ts";
import { prepare, startBillet } from "./lib/billet.ts";
import { commentBody } from "./lib/comments.ts";
import { type FunctionCpu, type IsolateCpu, type Locate, openProfiler } from "./lib/isolate-cpu.ts";
import { killAllNow, stopAll } from "./lib/procs.ts";
import { workerBundle } from "./lib/sizes.ts";

export const SEED_SLUG = "reseaux-sociaux-trois-ans-apres";
const REPEATS = 3;

/** `npm start`'s email settings: one email to the author for each new comment. */
export const EMAILS_ON = { EMAIL_FROM: "billet@localhost", AUTHOR_EMAIL: "author@localhost", PUBLIC_URL: "http://127.0.0.1" };

export interface CreationCpu {
  emails: "off" | "on";
  cpu: IsolateCpu;
  /** ms per comment in the request itself (everything but the queue consumer). */
  requestMs: number;
  /** ms per comment in the queue consumer (`deliver`): building and sending the notification. */
  notificationMs: number;
  /** The functions that took the most, by time under them (ms per comment). */
  top: FunctionCpu[];
}

/**
 * Which module each line of an unminified esbuild bundle comes from: esbuild writes the module's
 * path as a `// path` comment line before its code.
 */
export function moduleOfLine(bundle: string): Locate {
  const starts: { line: number; module: string }[] = [];
  bundle.split("\n").forEach((text, i) => {
    const m = /^\/\/ ((?:\.\.\/)*(?:[\w.-]+\/)*?(?:workers|node_modules|content)\/\S+)$/.exec(text);
    if (m) starts.push({ line: i + 1, module: m[1].replace(/^(?:\.\.\/)*(?:[\w.-]+\/)*?node_modules\//, "").replace(/^(?:\.\.\/)+/, "") });
  });
  return (url, line) => {
    if (!/(?:^|\/)index\.js$/.test(url)) return null;
    let lo = 0;
    let hi = starts.length - 1;
    let found: string | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid].line <= line) {
        found = starts[mid].module;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/**
 * The parts of a comment's CPU, in the order a sample is given to them. The notification: the
 * queue consumer (deliver, and the email's building and sending in workers/mail/email.ts).
 */
export const CREATION_PARTS: [string, RegExp][] = [
  ["notification (queue consumer)", /^(?:deliver|deliverOne)\d* workers\/mail\/notify\.ts$| workers\/mail\/email\.ts$/],
  ["D1 queries (drizzle-orm and the binding)", / drizzle-orm\/|^(?:_send|_wrappedFetch|batch|all|run|first|raw)\d* cloudflare-internal:d1/],
  ["markdown render and sanitising", / (?:markdown-it|mdurl|linkify-it|uc\.micro|punycode|entities)\/| workers\/render\/markdown\.ts$/],
  ["spam filter (features, scoring)", / workers\/spam\/classifier\.ts$/],
  ["validation (valibot)", / valibot\/| workers\/http\/validate\.ts$/],
  ["hashing and signing (HMAC, SHA-256)", / workers\/auth\/tokens\.ts$/],
  ["router and headers (itty-router, security headers)", / itty-router\/| workers\/http\/(?:answers|csp)\.ts$/],
];

export function splitCreation(emails: "off" | "on", cpu: IsolateCpu, topN = 30): CreationCpu {
  const notificationMs = cpu.groups[CREATION_PARTS[0][0]] ?? 0;
  return { emails, cpu, requestMs: cpu.msPerRequest - notificationMs, notificationMs, top: cpu.functions.slice(0, topN) };
}

/** Profiles comment creation on the seed site, emails off then on. */
export async function runCreationCpu(o: {
  dir: string;
  port: number;
  inspectorPort: number;
  durationS: number;
  connections: number;
  log: (line: string) => void;
}): Promise<CreationCpu[]> {
  mkdirSync(o.dir, { recursive: true });
  o.log("cpu: bundling the Worker unminified (names kept for the profile) and preparing the seed site");
  const [, prepared] = await Promise.all([workerBundle(join(o.dir, "bundle"), { minify: false }), prepare(o.dir, SEED_SLUG)]);
  const script = join(o.dir, "bundle", "index.js");
  const locate = moduleOfLine(readFileSync(script, "utf8"));
  const runId = Date.now().toString(36);
  const out: CreationCpu[] = [];
  for (const emails of ["off", "on"] as const) {
    const runDir = join(o.dir, `emails-${emails}`);
    mkdirSync(runDir, { recursive: true });
    const b = await startBillet({
      tmp: runDir,
      port: o.port,
      script,
      ...prepared,
      direct: true,
      inspectorPort: o.inspectorPort,
      vars: emails === "on" ? EMAILS_ON : {},
    });
    try {
      const profiler = await openProfiler(o.inspectorPort, 500, locate);
      try {
        o.log(`cpu: profiling comment creation, emails ${emails} (${REPEATS} × ${(o.durationS / REPEATS).toFixed(1)} s, ${o.connections} connections)`);
        // A few short runs, the median kept: on a shared machine one run can be disturbed.
        const tries: CreationCpu[] = [];
        for (let i = 0; i < REPEATS; i++) {
          const cpu = await profiler.measure(`${b.runtimeUrl}/api/posts/${SEED_SLUG}/comments`, {
            connections: o.connections,
            durationS: o.durationS / REPEATS,
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: (n) => commentBody(`${runId}-${emails}-${i}`, n),
            // The queue hands the consumer its last batch up to max_batch_timeout (5 s) after the load.
            settleMs: emails === "on" ? 6000 : 0,
            groups: CREATION_PARTS,
            pid: b.runtimePid,
          });
          tries.push(splitCreation(emails, cpu));
        }
        const split = tries.sort((x, y) => x.cpu.msPerRequest - y.cpu.msPerRequest)[Math.floor(REPEATS / 2)];
        o.log(
          `  ${split.cpu.msPerRequest.toFixed(3)} ms per comment (request ${split.requestMs.toFixed(3)}, notification ${split.notificationMs.toFixed(3)}); runs: ${tries.map((t) => t.cpu.msPerRequest.toFixed(3)).join(", ")}`,
        );
        out.push(split);
      } finally {
        profiler.close();
      }
    } finally {
      await b.stop();
    }
  }
  return out;
}

export function creationCpuMarkdown(runs: CreationCpu[]): string {
  const lines: string[] = [];
  lines.push(
    "| author emails | comments posted | Worker CPU ms per comment | of which the request | of which the notification (queue consumer) | JS / native / GC | samples | share of the time wanted that workerd ran |",
  );
  lines.push("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of runs) {
    lines.push(
      `| ${r.emails} | ${r.cpu.requests.toLocaleString("en")} | ${r.cpu.msPerRequest.toFixed(3)} | ${r.requestMs.toFixed(3)} | ${r.emails === "on" ? r.notificationMs.toFixed(3) : "–"} | ${r.cpu.js.toFixed(3)} / ${r.cpu.native.toFixed(3)} / ${r.cpu.gc.toFixed(3)} | ${r.cpu.samples.toLocaleString("en")} | ${r.cpu.runShare === null ? "–" : r.cpu.runShare.toFixed(2)} |`,
    );
  }
  return lines.join("\n");
}

export function partsMarkdown(runs: CreationCpu[]): string {
  const names = Object.keys(runs[0]?.cpu.groups ?? {});
  const lines = [`| part | ${runs.map((r) => `emails ${r.emails}: ms per comment`).join(" | ")} |`, `| --- |${runs.map(() => " --- |").join("")}`];
  for (const n of names) lines.push(`| ${n} | ${runs.map((r) => (r.cpu.groups[n] ?? 0).toFixed(3)).join(" | ")} |`);
  return lines.join("\n");
}

export function topFunctionsMarkdown(r: CreationCpu, n = 25): string {
  const lines = [`| function (module) | ms per comment under it | ms in it (self) |`, "| --- | --- | --- |"];
  for (const f of r.top.slice(0, n)) lines.push(`| \`${f.name}\` | ${f.totalMs.toFixed(3)} | ${f.selfMs.toFixed(3)} |`);
  return lines.join("\n");
}

if (process.argv[1]?.endsWith("cpu.ts")) {
  const { values: opt } = parseArgs({
    options: {
      duration: { type: "string", default: "6" },
      connections: { type: "string", default: "4" },
      "keep-temp": { type: "boolean", default: false },
    },
  });
  const tmp = mkdtempSync(join(tmpdir(), "billet-cpu-"));
  process.on("exit", killAllNow);
  const started = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
  try {
    const runs = await runCreationCpu({
      dir: tmp,
      port: 8822,
      inspectorPort: 9271,
      durationS: Number(opt.duration),
      connections: Number(opt.connections),
      log,
    });
    const md = [
      "# Comment creation: the Worker's own CPU (npm run bench:cpu)",
      "",
      creationCpuMarkdown(runs),
      "",
      partsMarkdown(runs),
      ...runs.flatMap((r) => ["", `**Emails ${r.emails}: where it went**`, "", topFunctionsMarkdown(r)]),
      "",
    ].join("\n");
    const results = join(ROOT, "bench", "results");
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, "cpu.md"), md);
    writeFileSync(join(results, "cpu.json"), JSON.stringify(runs, null, 2));
    console.log(md);
  } finally {
    await stopAll();
    if (!opt["keep-temp"]) rmSync(tmp, { recursive: true, force: true });
  }
}
