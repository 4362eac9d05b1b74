// npm run bench [-- --save] — billet's benchmark (see docs/bench.md and bench/README.md).
//
// One run: build and seed into a fresh temporary state, serve the built Worker with wrangler dev on
// 127.0.0.1, load it with autocannon (the ceiling: the same page as a plain static asset; the post
// page with its comments; the comments JSON; comment creation), grow the thread from 6 to 10,000
// comments, measure sizes and Lighthouse, then the same JSON read and creation against a
// self-hosted peer (Waline), the large site (bench/large.ts: a generated 2,000-post blog) and its
// build at 200 and 2,000 posts (bench/build.ts), and search on the large site (bench/search.ts).
// Writes bench/results/report.{md,json}; --save also writes docs/bench.md.
import { execFileSync } from "node:child_process";
import { cpus, freemem, loadavg, tmpdir, totalmem } from "node:os";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../scripts/content.ts";
import { CEILING_PATH, d1, prepare, startBillet, writeTemp, type Billet } from "./lib/billet.ts";
import { growthSql } from "./lib/growth.ts";
import { CHROMIUM, runLighthouse } from "./lib/lighthouse.ts";
import { measureTogether, type LoadOptions, type LoadSettings } from "./lib/load.ts";
import { installWaline, startWaline, WALINE_UA, WALINE_VERSION, walineCount, walinePost, type Waline } from "./lib/peer.ts";
import { commentBody, postAndApprove } from "./lib/comments.ts";
import { get } from "./lib/http.ts";
import { cpuDelta, cpuSnapshot, killAllNow, stopAll } from "./lib/procs.ts";
import { renderMarkdown, summary, type Report } from "./lib/report.ts";
import { pageWeight, sizeOf, workerBundle } from "./lib/sizes.ts";
import { runLargeBench } from "./large.ts";
import { runCreationCpu } from "./cpu.ts";
import { runSpamBench, spamMarkdown } from "./spam.ts";
import { runBuildBench } from "./build.ts";
import { runSearchBench, searchMarkdown } from "./search.ts";
import { distanceMarkdown, runDistanceBench } from "./distance.ts";
import { DEFAULT_SHAPE } from "../scripts/generate-blog.ts";

const { values: opt } = parseArgs({
  options: {
    save: { type: "boolean", default: false },
    duration: { type: "string", default: "6" },
    "growth-duration": { type: "string", default: "4" },
    warmup: { type: "string", default: "1" },
    connections: { type: "string", default: "8" },
    rounds: { type: "string", default: "3" },
    "no-peer": { type: "boolean", default: false },
    "no-growth": { type: "boolean", default: false },
    "no-lighthouse": { type: "boolean", default: false },
    "no-large": { type: "boolean", default: false },
    "keep-temp": { type: "boolean", default: false },
  },
});

const SLUG = "reseaux-sociaux-trois-ans-apres";
const PAGE = `/posts/${SLUG}/`;
const JSON_LIST = `/api/posts/${SLUG}/comments`;
const BILLET_PORT = 8790;
const WALINE_PORT = 8792;
const GROWTH_SIZES = [100, 1_000, 10_000];
const DURATION = Number(opt.duration);
const GROWTH_DURATION = Number(opt["growth-duration"]);
const WARMUP = Number(opt.warmup);
const CONNECTIONS = Number(opt.connections);
const ROUNDS = Number(opt.rounds);
const RUN_ID = Date.now().toString(36);

const started = Date.now();
const tmp = mkdtempSync(join(tmpdir(), "billet-bench-"));
const resultsDir = join(ROOT, "bench", "results");

let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAll();
    if (!opt["keep-temp"]) rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}
process.on("exit", killAllNow);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping every process the bench started…`);
    void cleanup().finally(() => process.exit(130));
  });
}

const step = (what: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${what}`);

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

function machine() {
  const cpuModel = cpus()[0]?.model ?? "?";
  const pkg = (p: string) => {
    try {
      return (JSON.parse(readFileSync(join(ROOT, "node_modules", p, "package.json"), "utf8")) as { version: string }).version;
    } catch {
      return "?";
    }
  };
  return {
    nproc: Number(sh("nproc", [])) || cpus().length,
    cpuModel,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    kernel: sh("uname", ["-sr"]),
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    versions: {
      node: process.version,
      wrangler: pkg("wrangler"),
      workerd: pkg("@cloudflare/workerd-linux-64"),
      autocannon: pkg("autocannon"),
      lighthouse: pkg("lighthouse"),
      chromium: sh(CHROMIUM, ["--version"]).replace(/^Chromium /, ""),
      waline: WALINE_VERSION,
    },
    commit:
      sh("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]) +
      (sh("git", ["-C", ROOT, "status", "--porcelain", "--", "workers", "scripts", "widget", "wrangler.toml", "migrations"])
        ? " (with uncommitted changes)"
        : ""),
  };
}

async function text(url: string, init?: RequestInit): Promise<{ status: number; body: string }> {
  const res = await get(url, init);
  return { status: res.status, body: await res.text() };
}

function check(cond: boolean, message: string): void {
  if (!cond) throw new Error(`set-up check failed: ${message}`);
}

const billetBody = (n: number) => commentBody(RUN_ID, n);

/**
 * Makes a change to the post's thread through the Worker, so that it clears its caches of the post
 * (comments added straight into D1 are invisible to them): posts a comment and approves it with the
 * admin API. The thread then holds one more approved comment.
 */
async function approveOne(b: Billet, token: string, n: number): Promise<void> {
  await postAndApprove(b.runtimeUrl, SLUG, token, billetBody(1e9 + n));
  await new Promise((r) => setTimeout(r, 500));
}

/** The last error the Worker logged, shortened (for a finding in the report). */
function serverError(b: Billet): string {
  const lines = readFileSync(b.log, "utf8")
    .split("\n")
    .filter((l) => /ERROR/.test(l));
  const last = lines
    .at(-1)
    ?.replace(/\x1b\[[0-9;]*m/g, "")
    .trim();
  if (!last) return "";
  const params = (last.match(/\?/g) ?? []).length;
  return `; the Worker logged: "${last.slice(0, 160)}…"${params ? ` (a query with ${params} bound parameters)` : ""}`;
}

async function jsonTotal(b: Billet): Promise<number> {
  const res = await get(`${b.runtimeUrl}${JSON_LIST}?limit=1`);
  return ((await res.json()) as { meta: { total: number } }).meta.total;
}

const report: Report = {
  date: new Date().toISOString(),
  options: { durationS: DURATION, growthDurationS: GROWTH_DURATION, warmupS: WARMUP, connections: CONNECTIONS, rounds: ROUNDS },
  machine: machine(),
  server: null,
  scenarios: {},
  reference: {},
  noLoss: null,
  growth: [],
  sizes: null,
  lighthouse: null,
  lighthouseError: null,
  lighthouseMachineBusyCores: null,
  large: null,
  largeError: null,
  peer: null,
  totalSeconds: 0,
};

async function main(): Promise<void> {
  // 1. The peer's one-time install (before anything is measured: it compiles SQLite).
  let peerSkip: string | null = opt["no-peer"] ? "--no-peer was given" : null;
  if (!peerSkip) {
    step("Waline: install check (once; compiles its SQLite driver the first time)");
    const inst = installWaline(15 * 60_000);
    if (inst.error) peerSkip = inst.error;
    else if (inst.ms > 5000) step(`Waline installed in ${(inst.ms / 1000).toFixed(0)} s`);
  }

  // 2. billet: the Worker bundle (`wrangler deploy --dry-run`, sized, then served), and meanwhile the
  //    local set-up: build, local D1 + KV with the seed, in a fresh state directory.
  step("billet: wrangler deploy --dry-run; build, migrations, seed (fresh --persist-to)");
  const bundling = workerBundle(join(tmp, "bundle"));
  bundling.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
  const prep = await prepare(tmp, SLUG);
  const bundle = await bundling;
  const widget = sizeOf(readFileSync(join(prep.publicDir, "widget.js")));
  const embed = sizeOf(readFileSync(join(prep.publicDir, "embed.js")));

  // 4. Serve billet and check what it serves.
  step("billet: wrangler dev on 127.0.0.1");
  const b = await startBillet({
    tmp,
    port: BILLET_PORT,
    script: join(tmp, "bundle", "index.js"),
    persistTo: prep.persistTo,
    publicDir: prep.publicDir,
    ceilingBytes: prep.ceilingBytes,
    direct: true,
  });
  const pids = [b.child.pid!];
  report.server = {
    how: "wrangler dev (workerd + local D1/KV/Cache simulators) running the dry-run bundle, fresh --persist-to, COMMENT_RATE_LIMIT=off",
    loadedAt: b.runtimeVia,
    ceilingPath: CEILING_PATH,
    ceilingBytes: b.ceilingBytes,
    pageBytes: 0,
    reloads: 0,
  };
  const ceiling = await text(`${b.runtimeUrl}${CEILING_PATH}`);
  const page = await text(`${b.runtimeUrl}${PAGE}`);
  check(ceiling.status === 200, `ceiling answered ${ceiling.status}`);
  check(page.status === 200 && page.body.includes('data-count="6"'), `the post page answered ${page.status} without its six comments`);
  check((await jsonTotal(b)) === 6, "the JSON list does not hold the six seed comments");
  report.server.pageBytes = new TextEncoder().encode(page.body).byteLength;

  // 5. The peer, started now so that its two scenarios run interleaved with billet's (same
  //    background load for both); seeded with the same six comments through its API.
  let w: Waline | null = null;
  if (!peerSkip) {
    try {
      step(`peer: Waline ${WALINE_VERSION} on 127.0.0.1:${WALINE_PORT} (SQLite, fresh copy of the empty schema)`);
      w = await startWaline({ port: WALINE_PORT, dir: join(tmp, "waline") });
      const seeds = JSON.parse(readFileSync(join(ROOT, "build", "seed-comments.json"), "utf8")) as {
        slug: string;
        comment: { author_name: string; content: string };
      }[];
      for (const seed of seeds.filter((x) => x.slug === SLUG))
        check((await walinePost(w.url, PAGE, seed.comment.author_name, seed.comment.content)) === 0, "Waline refused a seed comment");
      check((await walineCount(w.url, PAGE)) === 6, "Waline does not list the six seed comments");
    } catch (err) {
      peerSkip = `could not start: ${err instanceof Error ? err.message : String(err)}`;
      await w?.stop();
      w = null;
    }
  }

  // Every billet URL is resolved against the runtime's address when its slice starts (wrangler may
  // reload the runtime, on a new port, when a file it watches changes during the run).
  const at =
    (path: string, via: "runtime" | "proxy" = "runtime") =>
    () =>
      `${via === "proxy" ? b.proxyUrl : b.runtimeUrl}${path}`;
  const settings = (durationS: number, rounds: number): LoadSettings => ({
    connections: CONNECTIONS,
    durationS,
    warmupS: WARMUP,
    rounds,
    serverPids: pids,
    before: async (o) => {
      if (o.serverPids === undefined) await b.ensureRuntime();
    },
  });
  const together = (what: string, list: LoadOptions[], durationS: number, rounds: number) => {
    step(`load: ${what} — ${list.length} scenarios interleaved, ${durationS} s each in ${rounds} rounds, ${CONNECTIONS} connections`);
    return measureTogether(list, settings(durationS, rounds), (line) => step(`  ${line}`));
  };
  const post = { method: "POST" as const, headers: { "Content-Type": "application/json", "User-Agent": WALINE_UA }, body: billetBody };

  // 6. The main scenarios, reads first, then writes (so that every read is measured on the same
  //    thread, and no write invalidates the page cache in the middle of the reads):
  //    reads: (a) ceiling, (b) page, (c) JSON, the page with its cache bypassed (what a cache miss
  //    costs), the peer's list; writes: (d) creation, the peer's creation.
  //    Every comment the Worker accepts (201/202, warm-up included) must then be stored, once: each
  //    body carries its number, and each accepted answer echoes it.
  const acceptedNs = new Set<number>();
  const numberIn = (content: string) => Number(/ n° (\d+) — /.exec(content)?.[1] ?? NaN);
  const reads: LoadOptions[] = [
    { name: "ceiling", url: at(CEILING_PATH) },
    { name: "page", url: at(PAGE) },
    { name: "json", url: at(JSON_LIST) },
    { name: "pageUncached", url: at(`${PAGE}?reply_to=1`) },
    // What one D1 round trip costs here (local D1 simulator included): the floor under creation's two.
    { name: "oneTrip", url: at(`/api/comments/counts?posts=${SLUG}`) },
  ];
  const writes: LoadOptions[] = [
    {
      name: "create",
      url: at(JSON_LIST),
      ...post,
      onAnswer: (status, body) => {
        if (status !== 201 && status !== 202) return;
        try {
          acceptedNs.add(numberIn((JSON.parse(body) as { comment: { content: string } }).comment.content));
        } catch {
          acceptedNs.add(NaN); // accepted but unreadable: shows up as lost
        }
      },
    },
  ];
  if (w) {
    const wurl = w.url;
    const wpids = [w.child.pid!];
    reads.push({ name: "peer list", url: `${wurl}/api/comment?path=${encodeURIComponent(PAGE)}&page=1&pageSize=50&sortBy=insertedAt_asc`, serverPids: wpids });
    writes.push({
      name: "peer create",
      url: `${wurl}/api/comment`,
      serverPids: wpids,
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": WALINE_UA },
      body: (n) =>
        JSON.stringify({
          nick: `Lecteur de charge ${n % 100}`,
          mail: "",
          link: "",
          comment: `bench ${RUN_ID} n° ${n} — Merci pour ce billet, je le fais suivre à mon équipe.`,
          url: PAGE,
          ua: WALINE_UA,
        }),
    });
  }
  const readResults = await together("reads", reads, DURATION, ROUNDS);
  const writeResults = await together("writes", writes, DURATION, ROUNDS);
  const byName = new Map([...reads.map((o, i) => [o.name, readResults[i]] as const), ...writes.map((o, i) => [o.name, writeResults[i]] as const)]);
  report.scenarios = {
    ceiling: byName.get("ceiling"),
    page: byName.get("page"),
    json: byName.get("json"),
    create: byName.get("create"),
    pageUncached: byName.get("pageUncached"),
    oneTrip: byName.get("oneTrip"),
  };

  step("no-loss check: the stored comments against the accepted answers");
  const rows = d1(b.persistTo, { command: `SELECT content FROM comments WHERE content LIKE 'bench ${RUN_ID} n° %'` });
  const storedNs = rows.map((r) => numberIn(String(r.content)));
  const storedSet = new Set(storedNs);
  report.noLoss = {
    accepted: acceptedNs.size,
    stored: storedNs.length,
    lost: [...acceptedNs].filter((n) => !storedSet.has(n)).length,
    duplicates: storedNs.length - storedSet.size,
    storedUnanswered: [...storedSet].filter((n) => !acceptedNs.has(n)).length,
  };

  if (w) {
    const list = byName.get("peer list")!;
    const create = byName.get("peer create")!;
    const stored = (await walineCount(w.url, PAGE)) - 6;
    const answered = (create.statusCodes["200"] ?? 0) + (create.warmupStatusCodes["200"] ?? 0);
    report.peer = { name: `Waline ${WALINE_VERSION}`, skipped: null, list, create, createdStored: stored, createdAnswered200: answered };
    step("peer: stop");
    await w.stop();
  } else {
    report.peer = { name: `Waline ${WALINE_VERSION}`, skipped: peerSkip ?? "not run" };
  }

  // 7. For reference: the ceiling and the page through wrangler's dev proxy.
  if (b.runtimeUrl !== b.proxyUrl) {
    const [rc, rp] = await together(
      "reference through wrangler's dev proxy",
      [
        { name: "ceiling via proxy", url: at(CEILING_PATH, "proxy") },
        { name: "page via proxy", url: at(PAGE, "proxy") },
      ],
      Math.min(DURATION, 4),
      2,
    );
    report.reference = { ceiling: rc, page: rp };
  }

  // 8. Page weight and Lighthouse (on the seed page, nothing else loading).
  await b.ensureRuntime();
  step("sizes: the seed page and what it loads");
  report.sizes = { bundle, widget, embed, page: await pageWeight(`${b.runtimeUrl}${PAGE}`) };
  if (!opt["no-lighthouse"]) {
    step("lighthouse (Debian chromium)");
    try {
      const before = cpuSnapshot([]);
      const t = Date.now();
      report.lighthouse = await runLighthouse(`${b.runtimeUrl}${PAGE}`, join(tmp, "lighthouse.json"));
      // Lighthouse's own Chromium counts here too: what it shows is how busy the machine was.
      report.lighthouseMachineBusyCores = cpuDelta(before, cpuSnapshot([])).machineBusyMs / (Date.now() - t);
    } catch (err) {
      report.lighthouseError = err instanceof Error ? err.message : String(err);
    }
  }

  // 9. Growth: 6 → 100 → 1,000 → 10,000 approved comments on the seed post.
  if (!opt["no-growth"]) {
    const growthSet = (size: number) =>
      together(
        `growth ${n0(size)}`,
        [
          { name: "page", url: at(PAGE) },
          { name: "page, cache bypassed", url: at(`${PAGE}?reply_to=1`) },
          { name: "json", url: at(JSON_LIST) },
          { name: "create", url: at(JSON_LIST), ...post },
        ],
        GROWTH_DURATION,
        2,
      );
    // The 6-comment row is measured again like the others, so that the rows compare.
    const [sp, su, sj, sc] = await growthSet(6);
    report.growth.push({ comments: 6, problems: [], page: sp, pageUncached: su, json: sj, create: sc });
    let have = 6;
    for (const size of GROWTH_SIZES) {
      step(`growth: ${have} → ${size} comments (SQL into the local D1)`);
      // Ids far above anything posted through the API meanwhile (those follow the highest id).
      const firstId = (GROWTH_SIZES.indexOf(size) + 1) * 10_000_000;
      // All but one straight into D1; the last one through the Worker, which clears its caches.
      const sql = growthSql({ slug: SLUG, firstId, count: size - have - 1, startMs: Date.parse("2008-03-20T00:00:00Z") + have * 1000 });
      d1(b.persistTo, { file: writeTemp(join(tmp, `growth-${size}.sql`), sql) });
      have = size;
      await b.ensureRuntime();
      await approveOne(b, prep.adminToken, size);
      // The JSON and the page must both show the new total once the page cache is invalidated.
      // A mismatch is a finding, written into the report; the measurement goes on.
      const problems: string[] = [];
      const total = await jsonTotal(b);
      if (total !== size) problems.push(`the JSON total is ${total}, not ${size}`);
      let shown = "";
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        const p = await text(`${b.runtimeUrl}${PAGE}`);
        shown = `${p.status} ${/data-count="(\d+)"/.exec(p.body)?.[1] ?? "no count"}`;
        if (shown === `200 ${size}`) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      if (shown !== `200 ${size}`)
        problems.push(`the post page answers ${shown.replace(" ", " with a count of ")} instead of ${size} comments${serverError(b)}`);
      const [gp, gu, gj, gc] = await growthSet(size);
      report.growth.push({ comments: size, problems, page: gp, pageUncached: gu, json: gj, create: gc });
    }
  }
  report.server.reloads = b.reloads;
  step("billet: stop");
  await b.stop();

  // 9b. The Worker's own CPU for a comment, author emails off and on (bench/cpu.ts).
  try {
    report.creationCpu = await runCreationCpu({
      dir: join(tmp, "cpu"),
      port: BILLET_PORT,
      inspectorPort: BILLET_PORT + 449,
      durationS: DURATION,
      connections: CONNECTIONS,
      log: step,
    });
  } catch (err) {
    report.creationCpuError = err instanceof Error ? err.message : String(err);
    step(`cpu: failed: ${report.creationCpuError}`);
    await stopAll();
  }

  // 10. The large site: a generated 2,000-post blog imported, built and served on the same port,
  //     the same Worker bundle (bench/large.ts).
  //     A failure there is written into the report; the rest of it stands.
  if (!opt["no-large"]) {
    try {
      report.large = await runLargeBench({
        tmp,
        port: BILLET_PORT,
        script: join(tmp, "bundle", "index.js"),
        durationS: GROWTH_DURATION,
        warmupS: WARMUP,
        rounds: 2,
        connections: CONNECTIONS,
        log: step,
      });
    } catch (err) {
      report.largeError = err instanceof Error ? err.message : String(err);
      step(`large site: failed: ${report.largeError}`);
      await stopAll();
    }
    // 11. Search on the large site (bench/search.ts: its own import of the same generated blog).
    try {
      const search = await runSearchBench({
        tmp,
        port: BILLET_PORT,
        posts: DEFAULT_SHAPE.posts,
        comments: DEFAULT_SHAPE.comments,
        durationS: 4,
        log: step,
      });
      searchReport = searchMarkdown(search);
    } catch (err) {
      searchReport = `## Search on the large site (bench/search.ts)\n\n**failed**: ${err instanceof Error ? err.message : String(err)}\n`;
      step("search: failed");
      await stopAll();
    }
  }
  // 12. Far from the database: creation, the JSON and the page with every D1 round trip 0, 50 and
  //     150 ms away (bench/distance.ts), the same Worker bundle.
  try {
    report.distance = await runDistanceBench({ tmp, port: BILLET_PORT, script: join(tmp, "bundle", "index.js"), iterations: 150, readers: 4, log: step });
    distanceReport = distanceMarkdown(report.distance);
  } catch (err) {
    distanceReport = `## Far from the database (bench/distance.ts)\n\n**failed**: ${err instanceof Error ? err.message : String(err)}\n`;
    step("distance: failed");
    await stopAll();
  }
}

/** The search section of the report (markdown), when the large site ran. */
let searchReport = "";
/** The distance section of the report (markdown). */
let distanceReport = "";

const n0 = (x: number) => x.toLocaleString("en-US");

let failed: unknown = null;
try {
  await main();
} catch (err) {
  failed = err;
} finally {
  await cleanup();
}
report.totalSeconds = Math.round((Date.now() - started) / 1000);
if (failed) {
  console.error(`\nbench failed: ${failed instanceof Error ? (failed.stack ?? failed.message) : String(failed)}`);
  process.exit(1);
}

// The spam filter's own measure (no server needed) closes the report.
// Then the build of a generated blog at 200 and 2,000 posts (bench/build.ts: time, peak memory, growth).
const md = `${renderMarkdown(report)}\n${searchReport ? `${searchReport}\n` : ""}${distanceReport ? `${distanceReport}\n` : ""}${spamMarkdown(runSpamBench())}\n${await runBuildBench(
  { log: step },
).then(
  (b) => b.markdown,
  (err) => `## Building a large blog (bench/build.ts)\n\n**failed**: ${err instanceof Error ? err.message : String(err)}\n`,
)}`;
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "report.md"), md);
writeFileSync(join(resultsDir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
if (opt.save) {
  mkdirSync(join(ROOT, "docs"), { recursive: true });
  writeFileSync(join(ROOT, "docs", "bench.md"), md);
}
console.log(
  `\n${summary(report)}\n\nReport: bench/results/report.md (and report.json)${opt.save ? ", copied to docs/bench.md" : ""} — ${report.totalSeconds} s in all.`,
);
