// The bench report: Markdown for people, and the same data as JSON.
import type { DistanceResult } from "../distance.ts";
import type { LighthouseResult } from "./lighthouse.ts";
import type { IsolateCpu } from "./isolate-cpu.ts";
import { type CreationCpu, creationCpuMarkdown, partsMarkdown } from "../cpu.ts";
import type { LoadResult } from "./load.ts";
import type { BundleSize, PageWeight, Sized } from "./sizes.ts";

export interface GrowthRow {
  comments: number;
  /** What did not hold at this size (the page or the JSON not showing the new total). */
  problems: string[];
  page: LoadResult;
  pageUncached: LoadResult;
  json: LoadResult;
  create: LoadResult;
}

/** One row of the large site's tables: a post of that site (one page of it), and what was measured there. */
export interface LargeRow {
  /** Why the row was picked ("about 0–10 comments", "the largest, last page", …). */
  pick: string;
  slug: string;
  page: number;
  pageCount: number;
  /** Approved comments of the post, and its threads (read from D1 when the rows were picked). */
  comments: number;
  threads: number;
  threadsOnPage: number;
  /** Bytes of the page as the Worker serves it, and the comments it shows. */
  pageBytes: number;
  commentsOnPage: number;
  /** (a) the page as readers get it (cache on). */
  cached: LoadResult | null;
  /** (b) the comments JSON (page 1: the first 50; last page: `?sort=newest`, the last 50). */
  json: LoadResult | null;
  /** (c) the page right after a change (PAGE_CACHE=off: every reader is the first after an approval). */
  afterChange: LoadResult | null;
  /** (d) the page with its cache bypassed for one reader (`?reply_to=1`). */
  bypassed: LoadResult | null;
  /** (e) `GET /api/comments/counts?posts=<slug>`: one small D1 read through the Worker (once per post). */
  counts: LoadResult | null;
  /** The Worker isolate's own CPU time for (c) and (d) (V8's profiler; the simulators are not in it). */
  isolateAfterChange?: IsolateCpu | null;
  isolateBypassed?: IsolateCpu | null;
}

/** Readers arriving together after a change: what each of them was served (Server-Timing). */
export interface ReadersTrial {
  readers: number;
  /** The approved total the post shows after the change. */
  expected: number;
  render: number;
  shared: number;
  hit: number;
  /** Answers without a Server-Timing page value, or not 200, or not showing `expected`. */
  other: number;
  statuses: Record<string, number>;
  wrongTotal: number;
}

export interface LargeResult {
  shape: { posts: number; comments: number; hot: number; hotSize: number; depth: number; seed: number };
  /** What the import and build made, checked against the generated file. */
  site: { exportBytes: number; posts: number; pages: number; approved: number; inD1: number; kvRecords: number };
  setupSeconds: { generate: number; import: number; build: number; kv: number };
  ceiling: { slug: string; path: string; bytes: number };
  options: { durationS: number; warmupS: number; rounds: number; connectionsCached: number; connectionsChange: number };
  /** The ceiling measured with each phase's scenarios, at that phase's connection count. */
  ceilingCached: LoadResult | null;
  ceilingChange: LoadResult | null;
  rows: LargeRow[];
  readers: { slug: string; trials: ReadersTrial[] } | null;
  /** The Worker's own CPU for comment creation on the largest post (V8's profiler on its isolate). */
  creation?: { slug: string; cpu: IsolateCpu } | null;
  problems: string[];
  seconds: number;
}

export interface Report {
  date: string;
  options: { durationS: number; growthDurationS: number; warmupS: number; connections: number; rounds: number };
  machine: {
    nproc: number;
    cpuModel: string;
    memoryGiB: number;
    freeMemoryGiB: number;
    kernel: string;
    loadAverageAtStart: number[];
    versions: Record<string, string>;
    commit: string;
  };
  server: { how: string; loadedAt: string; ceilingPath: string; ceilingBytes: number; pageBytes: number; reloads: number } | null;
  scenarios: Partial<Record<"ceiling" | "page" | "json" | "create" | "pageUncached" | "oneTrip", LoadResult>>;
  reference: Partial<Record<"ceiling" | "page", LoadResult>>;
  noLoss: { accepted: number; stored: number; lost: number; duplicates: number; storedUnanswered: number } | null;
  growth: GrowthRow[];
  sizes: { bundle: BundleSize; widget: Sized; embed?: Sized; page: PageWeight } | null;
  lighthouse: LighthouseResult | null;
  lighthouseError: string | null;
  /** Cores busy on the whole machine while Lighthouse ran (its Chromium included). */
  lighthouseMachineBusyCores: number | null;
  /** The large-site section (null: not run, e.g. --no-large). */
  large?: LargeResult | null;
  /** Why the large-site section failed, when it did. */
  largeError?: string | null;
  /** Far from the database (bench/distance.ts): creation, the JSON and the page with D1 0, 50 and 150 ms away. */
  distance?: DistanceResult | null;
  /** The Worker's own CPU for comment creation on the seed site, author emails off and on (bench/cpu.ts). */
  creationCpu?: CreationCpu[] | null;
  creationCpuError?: string | null;
  peer:
    | { name: string; skipped: string }
    | { name: string; skipped: null; list: LoadResult; create: LoadResult; createdStored: number; createdAnswered200: number }
    | null;
  totalSeconds: number;
}

const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
const ms = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(1));
const cpu = (x: number) => x.toFixed(3);
const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "–");
const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const codes = (r: LoadResult) =>
  Object.entries(r.statusCodes)
    .map(([k, v]) => `${k}: ${n0(v)}`)
    .join(", ") + (r.errors ? `; errors ${r.errors}` : "");
const otherCores = (r: LoadResult) => r.cpu.otherMs / (r.durationS * 1000);

const LABELS: Record<string, string> = {
  ceiling: "(a) ceiling: the same page as a plain static asset",
  page: "(b) post page with its comments (Worker)",
  json: "(c) comments JSON `GET /api/posts/<slug>/comments`",
  create: "(d) comment creation `POST` JSON",
  pageUncached: "post page, page cache bypassed (`?reply_to=1`)",
  oneTrip: "one D1 round trip: comment counts `GET /api/comments/counts` (one small statement, no cache)",
};

function budgets(r: Report): string[][] {
  const rows: string[][] = [];
  const s = r.scenarios;
  if (s.ceiling && s.page) {
    const x = s.page.rps / s.ceiling.rps;
    rows.push(["post page ≥ 0.8× the static ceiling (req/s)", `${ratio(x)}`, x >= 0.8 ? "met" : "**not met**"]);
  }
  // The runtime's own floor (HTTP, routing, the static-asset path) is the ceiling's CPU; what the
  // Worker path adds to it is the Worker's share (plus the local storage simulators it calls).
  const floor = s.ceiling?.cpuMsPerRequest ?? 0;
  for (const k of ["page", "json"] as const) {
    const v = s[k];
    if (!v) continue;
    const over = v.cpuMsPerRequest - floor;
    rows.push([
      `CPU per request, ${k === "page" ? "post page" : "comments JSON"} < 1 ms (judged on the CPU over the static ceiling)`,
      `${cpu(over)} ms over the ceiling (${cpu(v.cpuMsPerRequest)} ms in all)`,
      over < 1 ? "met" : "**not met**",
    ]);
  }
  if (s.pageUncached) {
    const v = s.pageUncached;
    rows.push([
      "CPU per request, page cache bypassed: far below the 10 ms free-plan limit",
      `${cpu(v.cpuMsPerRequest - floor)} ms over the ceiling (${cpu(v.cpuMsPerRequest)} ms in all)`,
      v.cpuMsPerRequest < 10 ? "below 10 ms" : "**above 10 ms**",
    ]);
  }
  const p = r.peer;
  if (p && p.skipped === null && s.json && s.create) {
    const xj = s.json.rps / p.list.rps;
    const xc = s.create.rps / p.create.rps;
    rows.push([`comments JSON vs ${p.name} (req/s, "many times": ≥ 3×)`, ratio(xj), xj >= 3 ? "met" : "**not met**"]);
    // What the local D1 simulator charges for each round trip, of which creation makes two.
    const trip =
      s.oneTrip && s.ceiling
        ? `; one D1 round trip costs ${cpu(s.oneTrip.cpuMsPerRequest - s.ceiling.cpuMsPerRequest)} ms of workerd CPU over the ceiling here, creation makes two`
        : "";
    rows.push([
      `comment creation vs ${p.name} (req/s, ≥ 2×)`,
      `${ratio(xc)} (${cpu(s.create.cpuMsPerRequest)} vs ${cpu(p.create.cpuMsPerRequest)} CPU ms/req${trip})`,
      xc >= 2 ? "met" : "**not met**",
    ]);
  } else if (p?.skipped) {
    rows.push(["JSON read and creation vs a self-hosted peer", "–", `peer skipped: ${p.skipped}`]);
  }
  const g0 = r.growth[0];
  const gN = r.growth.at(-1);
  if (g0 && gN && gN !== g0) {
    const probs = r.growth.flatMap((row) => row.problems);
    rows.push([
      `growth to ${n0(gN.comments)} comments: page and JSON show the new total`,
      probs.length ? `${probs.length} problem(s), see Growth` : "yes",
      probs.length ? "**not met**" : "met",
    ]);
    for (const [label, pick] of [
      ["page, cache bypassed", (x: GrowthRow) => x.pageUncached],
      ["comments JSON", (x: GrowthRow) => x.json],
      ["comment creation", (x: GrowthRow) => x.create],
    ] as const) {
      const a = pick(g0);
      const z = pick(gN);
      const flat = z.rps / a.rps >= 0.8 && z.cpuMsPerRequest / a.cpuMsPerRequest <= 1.25;
      rows.push([
        `growth flat (${label}): ${n0(gN.comments)} vs ${n0(g0.comments)} comments, req/s and CPU`,
        `${ratio(z.rps / a.rps)} req/s, ${ratio(z.cpuMsPerRequest / a.cpuMsPerRequest)} CPU`,
        flat ? "flat" : "**grows**",
      ]);
    }
  }
  rows.push(...creationBudgets(r));
  if (r.large) rows.push(...largeBudgets(r.large));
  else if (r.largeError) rows.push(["large site (2,000 posts, 60,000 comments)", "–", `**failed**: ${r.largeError.split("\n")[0]}`]);
  if (r.noLoss) {
    const l = r.noLoss;
    rows.push([
      "no comment lost or stored twice under concurrent posting",
      `${n0(l.accepted)} accepted: ${n0(l.lost)} lost, ${n0(l.duplicates)} twice`,
      l.lost === 0 && l.duplicates === 0 ? "met" : "**not met**",
    ]);
  }
  if (r.sizes)
    rows.push([
      "the seed page makes no third-party request",
      r.sizes.page.thirdParty.length ? r.sizes.page.thirdParty.join(", ") : "none",
      r.sizes.page.thirdParty.length ? "**not met**" : "met",
    ]);
  if (r.lighthouse) {
    const all = Object.values(r.lighthouse.scores).every((v) => v === 100);
    rows.push([
      "Lighthouse: all four categories at 100",
      Object.entries(r.lighthouse.scores)
        .map(([k, v]) => `${k} ${v ?? "–"}`)
        .join(", "),
      all ? "met" : "**not met**",
    ]);
  }
  return rows;
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export function renderMarkdown(r: Report): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`# billet benchmark`);
  out.push("");
  out.push(`Run on ${r.date.replace("T", " ").slice(0, 16)} UTC by \`npm run bench\` (commit ${m.commit || "?"}), ${r.totalSeconds} s in all.`);
  out.push("");
  out.push(
    `**Machine:** ${m.nproc} cores (${m.cpuModel}), ${m.memoryGiB} GiB memory (${m.freeMemoryGiB} GiB free at start), ${m.kernel}; load average at start ${m.loadAverageAtStart.join(" / ")}.`,
  );
  out.push(
    `**Software:** ${Object.entries(m.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
  );
  out.push("");
  out.push("## Method");
  out.push("");
  out.push(
    [
      `- **Server:** ${r.server?.how ?? "?"}. The load goes to the socket of the workerd process that runs the Worker (${r.server?.loadedAt ?? "?"}), not through wrangler's dev proxy: that proxy is a second workerd that only forwards requests and does not exist in production (its cost is shown below for reference). The Worker is bundled by wrangler exactly as for \`wrangler deploy\`.`,
      ...(r.server?.reloads
        ? [
            `- **Note:** wrangler reloaded the runtime ${r.server.reloads} time(s) during this run (a watched file changed); the bench found the new runtime and went on, but a scenario that was running then may be disturbed.`,
          ]
        : []),
      `- **Ceiling:** the seed post page as the build pre-rendered it (the same six comments, rendered by the same module the Worker uses; ${n0(r.server?.ceilingBytes ?? 0)} bytes, against ${n0(r.server?.pageBytes ?? 0)} bytes for the Worker's page), copied into the bench's temporary copy of \`public/\` at \`${r.server?.ceilingPath ?? "?"}\`, a path the Worker does not run for: the same bytes served as a plain static asset by the same runtime.`,
      `- **Load:** autocannon, ${r.options.connections} connections, on 127.0.0.1, one scenario at a time; ${r.options.durationS} s measured per scenario (${r.options.growthDurationS} s in the growth table) after a ${r.options.warmupS} s warm-up that is not counted. Scenarios that are compared run interleaved: each gets a slice of its time in turn, round after round (${r.options.rounds} rounds for the main table: first the reads, the peer's list included, then the writes, the peer's creation included; 2 rounds in the growth table), so background load that comes and goes weighs on all of them alike. Latency percentiles are over every response of every round. The load generator runs on the same ${m.nproc} cores.`,
      "- **CPU ms per request:** user + system CPU time of every process of the server's tree (wrangler's node process and its workerd processes; for the peer, Waline's node processes), read from `/proc/<pid>/stat` before and after the scenario, divided by the requests answered. Ratios are figure ÷ ceiling figure (for latency and CPU, above 1× is slower or costlier).",
      "- **What the CPU figure holds:** workerd runs the Worker *and* the local simulators of D1 (SQLite in a Durable Object), KV and the Cache API on one thread, so the figure is an upper bound on the Worker's own CPU time (on Cloudflare, D1, KV and cache work is not Worker CPU). The ceiling row is the runtime's floor for answering an HTTP request with this page; *CPU over ceiling* is what the Worker path adds to it (the Worker plus the storage simulators it calls).",
      "- **Other load:** CPU time used on the machine during the scenario by processes that are neither the server nor the load generator, in cores. Above ~0.2 the figures of that row are disturbed by something else running.",
      "- **Comment creation:** every request posts a different comment (a name, a text, a fill time), as an anonymous first-time commenter: held for moderation (202) under the default first-comment policy. The rate limit is off (`COMMENT_RATE_LIMIT=off`), as Waline's per-address interval is.",
    ].join("\n"),
  );
  out.push("");

  out.push("## Budgets");
  out.push("");
  out.push(table(["budget", "measured", "verdict"], budgets(r)));
  out.push("");

  const ceil = r.scenarios.ceiling;
  out.push("## Throughput, latency and CPU");
  out.push("");
  const rows: string[][] = [];
  for (const k of ["ceiling", "page", "json", "create", "pageUncached", "oneTrip"] as const) {
    const s = r.scenarios[k];
    if (!s) continue;
    rows.push([
      LABELS[k],
      n0(s.rps),
      ceil ? ratio(s.rps / ceil.rps) : "–",
      ms(s.latencyMs.p50),
      ceil ? ratio(s.latencyMs.p50 / Math.max(ceil.latencyMs.p50, 0.5)) : "–",
      ms(s.latencyMs.p99),
      ceil ? ratio(s.latencyMs.p99 / Math.max(ceil.latencyMs.p99, 0.5)) : "–",
      cpu(s.cpuMsPerRequest),
      ceil ? ratio(s.cpuMsPerRequest / ceil.cpuMsPerRequest) : "–",
      ceil && k !== "ceiling" ? cpu(s.cpuMsPerRequest - ceil.cpuMsPerRequest) : "–",
      codes(s),
      otherCores(s).toFixed(2),
    ]);
  }
  out.push(
    table(
      [
        "scenario",
        "req/s",
        "× ceiling",
        "p50 ms",
        "× ceiling",
        "p99 ms",
        "× ceiling",
        "CPU ms/req",
        "× ceiling",
        "CPU ms/req over ceiling",
        "answers",
        "other load",
      ],
      rows,
    ),
  );
  out.push("");
  const byCmd = (s: LoadResult) =>
    Object.entries(s.cpu.byCommand)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${cpu(v / Math.max(1, s.requests))}`)
      .join(", ");
  out.push(
    "CPU ms per request by process: " +
      (["ceiling", "page", "json", "create"] as const)
        .filter((k) => r.scenarios[k])
        .map((k) => `${k}: ${byCmd(r.scenarios[k]!)}`)
        .join("; ") +
      ".",
  );
  out.push("");
  if (r.creationCpu?.length) {
    out.push(
      "**The Worker's own CPU for a comment** (bench/cpu.ts, also `npm run bench:cpu`): the figures above are the whole workerd process, local D1, KV and queue simulators included. Here V8's sampling profiler on the Worker's isolate (as in the large site's (f)) while comments are posted on the seed site, served from an unminified bundle so that the profile names functions, with the author's emails off (wrangler.toml's default) and on (`npm start`'s settings: one email to the author per comment, built and sent by the queue consumer, in the same isolate). The samples are corrected for the time workerd's thread waited for a core (the last column; 1.00 on an idle machine). Where the time goes: [docs/bench-cpu.md](bench-cpu.md).",
    );
    out.push("");
    out.push(creationCpuMarkdown(r.creationCpu));
    out.push("");
    out.push(partsMarkdown(r.creationCpu));
    out.push("");
  }
  if (r.reference.ceiling && r.reference.page) {
    const rc = r.reference.ceiling;
    const rp = r.reference.page;
    out.push(
      `**For reference, through wrangler's dev proxy** (the address \`wrangler dev\` prints; one more workerd hop): ceiling ${n0(rc.rps)} req/s (p50 ${ms(rc.latencyMs.p50)} ms, ${cpu(rc.cpuMsPerRequest)} CPU ms/req), post page ${n0(rp.rps)} req/s (p50 ${ms(rp.latencyMs.p50)} ms, ${cpu(rp.cpuMsPerRequest)} CPU ms/req): page at ${ratio(rp.rps / rc.rps)} the ceiling. The proxy adds the same fixed cost to both, so it brings the ratio closer to 1; the table above is the stricter measure.`,
    );
    out.push("");
  }
  if (r.noLoss) {
    const l = r.noLoss;
    out.push(
      `**No loss:** during comment creation (warm-up included) the Worker accepted ${n0(l.accepted)} comments (201/202, each answer's comment read back). The local D1 then holds ${n0(l.stored)} of the bench's comments: ${n0(l.lost)} accepted comment(s) missing, ${n0(l.duplicates)} stored twice, and ${n0(l.storedUnanswered)} stored whose answer autocannon did not wait for (requests in flight when a timed run ends, at most the connection count per run).`,
    );
    out.push("");
  }
  if (r.growth.length) {
    out.push("## Growth: one thread from 6 to 10,000 comments");
    out.push("");
    out.push(
      "Approved comments are added to the seed post straight into the local D1 (SQL, about one in four a reply), all but the last one, which is posted and approved through the Worker so that it clears its caches of the post; the totals are then checked through the JSON and the page. Pages hold 50 threads, the JSON 50 comments, so every figure should stay flat. Every row, the 6-comment one included, is measured the same way (the four scenarios interleaved, 2 rounds); the new comments of the creation slices are held for moderation and do not change what the page and the JSON show.",
    );
    out.push("");
    const g = r.growth;
    const grow = (pick: (row: GrowthRow) => LoadResult) =>
      g.map((row) => {
        const s = pick(row);
        return [n0(row.comments), n0(s.rps), ms(s.latencyMs.p50), ms(s.latencyMs.p99), cpu(s.cpuMsPerRequest), otherCores(s).toFixed(2)];
      });
    const problems = g.filter((row) => row.problems.length);
    if (problems.length) {
      out.push("**Problems found while growing the thread** (the figures of those rows measure what the Worker did instead):");
      out.push("");
      for (const row of problems) for (const p of row.problems) out.push(`- at ${n0(row.comments)} comments: ${p}`);
      out.push("");
    }
    for (const [title, pick] of [
      ["Post page (page cache on, as readers get it)", (row: GrowthRow) => row.page],
      ["Post page, page cache bypassed (`?reply_to=1`: D1 + render on every request)", (row: GrowthRow) => row.pageUncached],
      ["Comments JSON (first 50)", (row: GrowthRow) => row.json],
      ["Comment creation", (row: GrowthRow) => row.create],
    ] as const) {
      out.push(`**${title}**`);
      out.push("");
      out.push(table(["comments", "req/s", "p50 ms", "p99 ms", "CPU ms/req", "other load"], grow(pick)));
      out.push("");
    }
  }

  if (r.large) {
    out.push(largeMarkdown(r.large));
    out.push("");
  } else if (r.largeError) {
    out.push("## Large site");
    out.push("");
    out.push(`**Failed:** ${r.largeError.split("\n")[0]}`);
    out.push("");
  }

  out.push("## Comparison peer");
  out.push("");
  const p = r.peer;
  if (!p) out.push("Not run.");
  else if (p.skipped !== null) out.push(`${p.name}: **skipped** — ${p.skipped}.`);
  else {
    out.push(
      `${p.name} (\`@waline/vercel\` from npm, its own SQLite storage on a fresh copy of the empty Waline schema, started by \`bench/peer-waline.sh\` on 127.0.0.1 beside billet, its list interleaved with billet's reads and its creation with billet's creation; Akismet off and its per-address posting interval off; its per-request fetch of the OAuth service list answered in-process, which flatters it). Seeded with the same six comments through its API, then loaded with the same settings.`,
    );
    out.push("");
    const pr = (label: string, ours: LoadResult | undefined, theirs: LoadResult) => [
      label,
      ours ? n0(ours.rps) : "–",
      n0(theirs.rps),
      ours ? ratio(ours.rps / theirs.rps) : "–",
      `${ours ? ms(ours.latencyMs.p50) : "–"} / ${ms(theirs.latencyMs.p50)}`,
      `${ours ? ms(ours.latencyMs.p99) : "–"} / ${ms(theirs.latencyMs.p99)}`,
      `${ours ? cpu(ours.cpuMsPerRequest) : "–"} / ${cpu(theirs.cpuMsPerRequest)}`,
      codes(theirs),
    ];
    out.push(
      table(
        [
          "scenario",
          "billet req/s",
          `${p.name} req/s`,
          "billet ÷ peer",
          "p50 ms billet / peer",
          "p99 ms billet / peer",
          "CPU ms/req billet / peer",
          "peer answers",
        ],
        [pr("comment list (JSON, 50 per page)", r.scenarios.json, p.list), pr("comment creation", r.scenarios.create, p.create)],
      ),
    );
    out.push("");
    out.push(
      `Waline answered 200 to ${n0(p.createdAnswered200)} creations (warm-up included) and lists ${n0(p.createdStored)} new comments afterwards. Note that Waline publishes a new anonymous comment at once (no moderation by default) while billet holds it for moderation.`,
    );
  }
  out.push("");

  if (r.sizes) {
    const s = r.sizes;
    out.push("## Sizes");
    out.push("");
    out.push(
      table(
        ["what", "bytes", "gzip -9", "brotli -11"],
        [
          [`Worker bundle (\`wrangler deploy --dry-run\`, ${s.bundle.files.length} module(s))`, n0(s.bundle.bytes), n0(s.bundle.gzip), n0(s.bundle.brotli)],
          ["widget.js", n0(s.widget.bytes), n0(s.widget.gzip), n0(s.widget.brotli)],
          ...(s.embed ? [["embed.js (other sites' pages)", n0(s.embed.bytes), n0(s.embed.gzip), n0(s.embed.brotli)]] : []),
          ...s.page.resources.map((x) => [`seed page: ${new URL(x.url).pathname} (${x.type})`, n0(x.bytes), n0(x.gzip), n0(x.brotli)]),
          [
            `**seed page total** (${s.page.resources.length} requests, ${s.page.thirdParty.length} third-party)`,
            `**${n0(s.page.total.bytes)}**`,
            `**${n0(s.page.total.gzip)}**`,
            `**${n0(s.page.total.brotli)}**`,
          ],
        ],
      ),
    );
    out.push("");
    if (s.bundle.wranglerSays) out.push(`wrangler says: \`${s.bundle.wranglerSays.trim()}\`.`);
    out.push(
      `Body bytes; over the network an edge that compresses sends about the gzip or brotli column (${kb(s.page.total.gzip)} gzip). Sizes are the same on every run of the same commit.`,
    );
    out.push("");
  }

  out.push("## Lighthouse");
  out.push("");
  if (r.lighthouse) {
    const l = r.lighthouse;
    out.push(
      `Lighthouse ${l.version}, ${l.formFactor} (its default), ${l.throttling} throttling, Debian's Chromium, on the seed post page served by billet. The machine had ${r.lighthouseMachineBusyCores === null ? "?" : r.lighthouseMachineBusyCores.toFixed(2)} of ${m.nproc} cores busy meanwhile (Chromium included); the performance score (Total Blocking Time especially) drops when other work competes for the CPU.`,
    );
    out.push("");
    out.push(table(Object.keys(l.scores), [Object.values(l.scores).map((v) => String(v ?? "–"))]));
    out.push("");
    out.push(
      `Metrics: ${Object.entries(l.metrics)
        .map(([k, v]) => `${k} ${v}`)
        .join(
          ", ",
        )}. Total byte weight ${l.totalByteWeight === null ? "?" : n0(l.totalByteWeight)} bytes in ${l.requests.length} requests; third-party requests: ${l.thirdPartyRequests.length ? l.thirdPartyRequests.join(", ") : "none"}.`,
    );
    out.push("");
    if (l.failing.length) {
      out.push("Audits below full marks:");
      out.push("");
      for (const f of l.failing)
        out.push(
          `- ${f.category}: \`${f.id}\` — ${f.title} (score ${f.score ?? "–"}${f.displayValue ? `, ${f.displayValue}` : ""})${f.items.length ? `: ${f.items.map((i) => i.replace(/\|/g, "\\|")).join("; ")}` : ""}`,
        );
    } else out.push("Every counted audit at full marks.");
  } else out.push(`Not run${r.lighthouseError ? `: ${r.lighthouseError.split("\n")[0]}` : ""}.`);
  out.push("");
  return out.join("\n");
}

export function summary(r: Report): string {
  const s = r.scenarios;
  const lines: string[] = [];
  const c = s.ceiling;
  const line = (label: string, x: LoadResult | undefined) =>
    x &&
    lines.push(
      `${label.padEnd(22)} ${n0(x.rps).padStart(7)} req/s${c ? ` (${ratio(x.rps / c.rps)})` : ""}  p50 ${ms(x.latencyMs.p50)} ms  p99 ${ms(x.latencyMs.p99)} ms  CPU ${cpu(x.cpuMsPerRequest)} ms/req`,
    );
  line("ceiling (static)", s.ceiling);
  line("post page", s.page);
  line("comments JSON", s.json);
  line("comment creation", s.create);
  line("page, cache bypassed", s.pageUncached);
  line("one D1 round trip", s.oneTrip);
  const p = r.peer;
  if (p && p.skipped === null) {
    line(`${p.name} list`, p.list);
    line(`${p.name} create`, p.create);
  } else if (p) lines.push(`peer: skipped (${p.skipped})`);
  for (const g of r.growth) for (const p of g.problems) lines.push(`growth ${n0(g.comments)}: PROBLEM: ${p}`);
  for (const g of r.growth)
    lines.push(
      `growth ${n0(g.comments).padStart(6)}: page ${n0(g.page.rps)} req/s, uncached ${cpu(g.pageUncached.cpuMsPerRequest)} CPU ms, JSON ${n0(g.json.rps)} req/s ${cpu(g.json.cpuMsPerRequest)} CPU ms, create ${n0(g.create.rps)} req/s ${cpu(g.create.cpuMsPerRequest)} CPU ms`,
    );
  if (r.large) lines.push(...largeSummary(r.large));
  if (r.sizes)
    lines.push(
      `sizes: Worker ${kb(r.sizes.bundle.gzip)} gzip, widget ${kb(r.sizes.widget.gzip)} gzip${r.sizes.embed ? `, embed.js ${kb(r.sizes.embed.gzip)} gzip` : ""}, seed page ${kb(r.sizes.page.total.bytes)} (${kb(r.sizes.page.total.gzip)} gzip)`,
    );
  if (r.lighthouse)
    lines.push(
      `lighthouse: ${Object.entries(r.lighthouse.scores)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
  else if (r.lighthouseError) lines.push(`lighthouse: failed (${r.lighthouseError.split("\n")[0]})`);
  for (const b of budgets(r)) lines.push(`budget: ${b[0]} — ${b[1]} — ${b[2].replace(/\*/g, "")}`);
  return lines.join("\n");
}

// The large site (bench/large.ts).

const rowLabel = (x: LargeRow) => `${x.pick}: \`${x.slug}\`${x.pageCount > 1 ? `, page ${x.page} of ${x.pageCount}` : ""}`;
const overCeiling = (x: LoadResult | null, c: LoadResult | null) => (x && c ? x.cpuMsPerRequest - c.cpuMsPerRequest : Number.NaN);
/** The rows of (c) compared: the smallest post against the largest one's first and last pages. */
function flatness(l: LargeResult): { label: string; rps: number; cpu: number; worker: number | null }[] {
  const base = l.rows[0]?.afterChange;
  if (!base) return [];
  const baseWorker = l.rows[0]?.isolateAfterChange?.msPerRequest;
  return l.rows
    .slice(1)
    .filter((x) => x.comments === Math.max(...l.rows.map((y) => y.comments)) && x.afterChange)
    .map((x) => ({
      label: x.page > 1 ? "last page" : "page 1",
      rps: x.afterChange!.rps / base.rps,
      cpu: x.afterChange!.cpuMsPerRequest / base.cpuMsPerRequest,
      worker: baseWorker && x.isolateAfterChange ? x.isolateAfterChange.msPerRequest / baseWorker : null,
    }));
}

/** The Worker's own CPU for a comment (seed and large site) and for its notification. */
function creationBudgets(r: Report): string[][] {
  const rows: string[][] = [];
  const off = r.creationCpu?.find((x) => x.emails === "off");
  const on = r.creationCpu?.find((x) => x.emails === "on");
  const large = r.large?.creation;
  if (off || large) {
    const worst = Math.max(off?.requestMs ?? 0, large?.cpu.msPerRequest ?? 0);
    rows.push([
      "comment creation ≤ 1 ms of the Worker's own CPU (V8's profiler on its isolate), seed site and large site",
      [off ? `seed ${cpu(off.requestMs)} ms` : "", large ? `large site (\`${large.slug}\`) ${cpu(large.cpu.msPerRequest)} ms` : ""].filter(Boolean).join("; "),
      worst <= 1 ? "met" : "**not met**",
    ]);
  } else if (r.creationCpuError) rows.push(["comment creation ≤ 1 ms of the Worker's own CPU", "–", `**failed**: ${r.creationCpuError.split("\n")[0]}`]);
  if (on) {
    rows.push([
      "an author's email costs less Worker CPU than the comment it announces (seed site, `npm start`'s email settings)",
      `notification ${cpu(on.notificationMs)} ms, the comment ${cpu(on.requestMs)} ms (with emails off: ${off ? cpu(off.requestMs) : "–"} ms)`,
      on.notificationMs < on.requestMs ? "met" : "**not met**",
    ]);
  }
  return rows;
}

export function largeBudgets(l: LargeResult): string[][] {
  const rows: string[][] = [];
  const small = l.rows[0];
  const flat = flatness(l);
  if (small && flat.length) {
    const ok = flat.every((f) => f.rps >= 0.8 && f.cpu <= 1.25);
    rows.push([
      `large site: page right after a change flat from the smallest (${n0(small.comments)} comments) to the ${n0(Math.max(...l.rows.map((x) => x.comments)))}-comment post (and its last page): req/s and CPU ratios`,
      flat.map((f) => `${f.label}: ${ratio(f.rps)} req/s, ${ratio(f.cpu)} CPU${f.worker === null ? "" : ` (the Worker's own: ${ratio(f.worker)})`}`).join("; "),
      ok ? "flat" : "**grows**",
    ]);
  }
  const profiled = l.rows.filter((x) => x.isolateAfterChange);
  if (profiled.length) {
    // Judged on the Worker's own CPU time (V8's profiler on its isolate): the static floor runs no Worker.
    const worst = profiled.reduce((a, b) => (b.isolateAfterChange!.msPerRequest > a.isolateAfterChange!.msPerRequest ? b : a));
    const v = profiled.map((x) => x.isolateAfterChange!.msPerRequest);
    const over = Math.max(...v);
    const whole = l.rows.filter((x) => x.afterChange && l.ceilingChange).map((x) => overCeiling(x.afterChange, l.ceilingChange));
    rows.push([
      "large site: page right after a change ≤ 2 ms CPU over the static floor (the Worker's own CPU time, V8's profiler on its isolate, every row; the static floor runs no Worker)",
      `${cpu(Math.min(...v))}–${cpu(over)} ms of Worker CPU (worst: ${worst.pick}${worst.page > 1 ? ", last page" : ""}, ${n0(worst.commentsOnPage)} comments on the page)` +
        (whole.length
          ? `; the whole workerd process, local D1 and Cache API simulators included: ${cpu(Math.min(...whole))}–${cpu(Math.max(...whole))} ms over the ceiling`
          : ""),
      over <= 2 ? "met" : "**not met**",
    ]);
  } else {
    const measured = l.rows.filter((x) => x.afterChange);
    if (measured.length && l.ceilingChange) {
      const range = measured.map((x) => overCeiling(x.afterChange, l.ceilingChange));
      rows.push([
        "large site: page right after a change ≤ 2 ms CPU over the static floor (the Worker's own CPU could not be read: judged on the whole process, simulators included)",
        `${cpu(Math.min(...range))}–${cpu(Math.max(...range))} ms over the ceiling`,
        Math.max(...range) <= 2 ? "met" : "**not met**",
      ]);
    }
  }
  if (l.readers?.trials.length) {
    const t = l.readers.trials;
    const ok = t.every((x) => x.render === 1 && x.other === 0);
    rows.push([
      `large site: ${t[0].readers} readers arriving at once right after an approval cause one render`,
      t.map((x) => `${x.render} render(s), ${x.shared} shared, ${x.hit} hit${x.other ? `, ${x.other} other` : ""}`).join("; "),
      ok ? "met" : "**not met**",
    ]);
  }
  rows.push([
    "large site: the pages and the JSON show the totals D1 holds",
    l.problems.length ? `${l.problems.length} problem(s), see Large site` : "yes",
    l.problems.length ? "**not met**" : "met",
  ]);
  return rows;
}

export function largeMarkdown(l: LargeResult): string {
  const out: string[] = [];
  const o = l.options;
  const big = Math.max(...l.rows.map((x) => x.comments));
  out.push(`## Large site: ${n0(l.site.posts)} posts, ${n0(l.site.approved)} comments`);
  out.push("");
  out.push(
    `A WordPress export made by \`scripts/generate-blog.ts\` (${n0(l.shape.posts)} posts, ${n0(l.shape.comments)} comments, ${l.shape.hot} posts with ${n0(l.shape.hotSize)}, threads ${l.shape.depth} deep, seed ${l.shape.seed}; ${(l.site.exportBytes / 1e6).toFixed(1)} MB) is imported as a new user would (\`npm run import\` into a fresh content folder and local D1), built, and its ${n0(l.site.kvRecords)} post records loaded into the local KV; the rows are posts of that site picked by the approved comments D1 holds for them (what readers see: the largest holds ${n0(big)} approved of its ${n0(l.shape.hotSize)}, the rest held, spam or trashed), and every scenario runs interleaved with a ceiling: \`${l.ceiling.slug}\`'s page as the build pre-rendered it (${n0(l.ceiling.bytes)} bytes, its comments not filled in) served as a plain static asset. ` +
      `The page right after a change (c) runs on a second start of wrangler dev, on the same state, with \`PAGE_CACHE=off\`: every reader is then the first after an approval (the post's state read from D1, the cache looked up under a key that misses, a render, the copy stored), at ${o.connectionsChange} connection so that no two requests share a render, beside the reference rows (d) and (e) and a ceiling at the same connection count; (a) and (b) run with the cache on, at ${o.connectionsCached} connections. ` +
      `${o.durationS} s per scenario in ${o.rounds} rounds after a ${o.warmupS} s warm-up; CPU is that of the whole wrangler/workerd tree, which runs the local D1 and Cache API simulators on the Worker's thread: an upper bound on the Worker's own CPU.`,
  );
  out.push("");
  out.push(
    `Set-up: generating the export ${l.setupSeconds.generate.toFixed(1)} s, importing it ${l.setupSeconds.import.toFixed(0)} s, building ${l.setupSeconds.build.toFixed(0)} s, loading KV and migrations ${l.setupSeconds.kv.toFixed(0)} s; ${l.seconds} s in all for this section. The site holds ${n0(l.site.posts)} posts and ${n0(l.site.pages)} pages; D1 holds ${n0(l.site.inD1)} comments, ${n0(l.site.approved)} of them approved.`,
  );
  out.push("");
  if (l.problems.length) {
    out.push("**Problems found** (the figures measure what the Worker did instead):");
    out.push("");
    for (const p of l.problems) out.push(`- ${p}`);
    out.push("");
  }
  out.push(
    `What each row's page holds: ${l.rows.map((x) => `${x.pick}, ${n0(x.commentsOnPage)} comment(s) in ${n0(x.threadsOnPage)} thread(s), ${(x.pageBytes / 1024).toFixed(0)} KiB`).join("; ")}. A page holds up to 50 threads whatever their size, so the rows' pages differ in what they hold as well as in the size of their post.`,
  );
  out.push("");
  const head = [
    "post / page",
    "comments (on the page)",
    "threads (on the page)",
    "bytes per answer (headers included)",
    "req/s",
    "p50 ms",
    "p99 ms",
    "CPU ms/req",
    "CPU over ceiling",
    "other load",
  ];
  const line = (label: string, x: LargeRow | null, s: LoadResult, c: LoadResult | null) => [
    label,
    x ? `${n0(x.comments)} (${n0(x.commentsOnPage)})` : "–",
    x ? `${n0(x.threads)} (${n0(x.threadsOnPage)})` : "–",
    n0(s.bytesPerRequest),
    n0(s.rps),
    ms(s.latencyMs.p50),
    ms(s.latencyMs.p99),
    cpu(s.cpuMsPerRequest),
    x && c ? cpu(s.cpuMsPerRequest - c.cpuMsPerRequest) : "–",
    otherCores(s).toFixed(2),
  ];
  for (const [title, pick, c] of [
    [`(a) The post page as readers get it (page cache on; ${o.connectionsCached} connections)`, (x: LargeRow) => x.cached, l.ceilingCached],
    [
      `(b) Comments JSON \`GET /api/posts/<slug>/comments\` (the first 50; on the last-page row \`?sort=newest\`, the last 50; ${o.connectionsCached} connections)`,
      (x: LargeRow) => x.json,
      l.ceilingCached,
    ],
    [
      `(c) The page right after a change (\`PAGE_CACHE=off\`: D1 read, cache miss, render, store on every request; ${o.connectionsChange} connection)`,
      (x: LargeRow) => x.afterChange,
      l.ceilingChange,
    ],
    [
      `(d) Reference: the page with its cache bypassed for one reader (\`?reply_to=1\`: D1 read and render, no Cache API; ${o.connectionsChange} connection)`,
      (x: LargeRow) => x.bypassed,
      l.ceilingChange,
    ],
    [
      `(e) Reference: \`GET /api/comments/counts?posts=<slug>\` (one small D1 read through the Worker; ${o.connectionsChange} connection)`,
      (x: LargeRow) => x.counts,
      l.ceilingChange,
    ],
  ] as const) {
    const measured = l.rows.filter((x) => pick(x));
    if (!measured.length) continue;
    out.push(`**${title}**`);
    out.push("");
    const rows = measured.map((x) => line(rowLabel(x), x, pick(x)!, c));
    if (c) rows.unshift(line("ceiling (the static page)", null, c, null));
    out.push(table(head, rows));
    out.push("");
  }
  // What the reference rows say of (c): the share of the storage simulators.
  const parts = l.rows
    .filter((x) => x.afterChange && x.bypassed)
    .map((x) => {
      const counts = l.rows.find((y) => y.slug === x.slug && y.counts)?.counts ?? null;
      return `${x.pick}: (c) ${cpu(overCeiling(x.afterChange, l.ceilingChange))}, (d) ${cpu(overCeiling(x.bypassed, l.ceilingChange))}, (e) ${counts ? cpu(overCeiling(counts, l.ceilingChange)) : "–"}`;
    });
  if (parts.length)
    out.push(
      `CPU ms over the ceiling, (c) against its references: ${parts.join("; ")}. (c) − (d) is about what the Cache API lookup and store cost (simulated, on the Worker's thread); (e) is about what one D1 round trip through the Worker costs here, so (d) − (e) is about the page's own work: its D1 query (larger than (e)'s), the built page read from the assets, the render. On Cloudflare neither the D1 nor the cache work is Worker CPU.`,
    );
  out.push("");
  const profiled = l.rows.filter((x) => x.isolateAfterChange);
  if (profiled.length) {
    const p = profiled[0].isolateAfterChange!;
    out.push(
      `**(f) The Worker's own CPU time for (c) and (d).** The figures above are the CPU time of the whole workerd process, which runs the local D1, KV and Cache API simulators (other isolates) on the Worker's thread. Here V8's sampling profiler, attached to the Worker's isolate through wrangler dev's DevTools inspector (a sample every ${p.intervalUs} µs, taken only while that isolate runs), gives the Worker's own CPU time: its JavaScript, the runtime's native work done for it (the HTML rewriter, hashing, the D1 binding's wrapper) and its garbage collection, what Cloudflare counts as a Worker's CPU time. The static ceiling runs no Worker at all: these figures are over the static floor as they stand. Same 1 connection, ${o.durationS} s each after a 1 s warm-up, one scenario at a time.`,
    );
    out.push("");
    const ms = (v: number) => v.toFixed(3);
    out.push(
      table(
        [
          "post / page",
          "comments (on the page)",
          "(c) after a change: Worker CPU ms/req",
          "of which JS / native / GC",
          "(d) cache bypassed: Worker CPU ms/req",
          "samples (c) / (d)",
        ],
        profiled.map((x) => {
          const c = x.isolateAfterChange!;
          const d = x.isolateBypassed ?? null;
          return [
            rowLabel(x),
            `${n0(x.comments)} (${n0(x.commentsOnPage)})`,
            ms(c.msPerRequest),
            `${ms(c.js)} / ${ms(c.native)} / ${ms(c.gc)}`,
            d ? ms(d.msPerRequest) : "–",
            `${n0(c.samples)} / ${d ? n0(d.samples) : "–"}`,
          ];
        }),
      ),
    );
    out.push("");
    const share = profiled.map((x) => x.isolateAfterChange!.runShare).filter((v): v is number => v !== null);
    if (share.length) {
      out.push(
        `The samples are corrected for the time workerd's thread waited for a core (share of the time wanted that it ran: ${Math.min(...share).toFixed(2)}–${Math.max(...share).toFixed(2)}; 1.00 on an idle machine).`,
      );
      out.push("");
    }
  }
  if (l.creation) {
    const c = l.creation.cpu;
    out.push(
      `**Comment creation on the largest post** (\`${l.creation.slug}\`, anonymous, held for moderation; 1 connection, the same profiler): ${c.msPerRequest.toFixed(3)} ms of the Worker's own CPU per comment (JS ${c.js.toFixed(3)}, native ${c.native.toFixed(3)}, GC ${c.gc.toFixed(3)}; ${n0(c.requests)} comments, ${n0(c.samples)} samples${c.runShare === null ? "" : `, share ${c.runShare.toFixed(2)}`}).`,
    );
    out.push("");
  }
  if (l.readers) {
    out.push(
      `**Many readers after a clear.** With the page cache on, a comment is posted to \`${l.readers.slug}\` (${n0(big)} comments) and approved through the API, then at once ${l.readers.trials[0]?.readers ?? "?"} readers ask for its page 1, each on a connection opened beforehand so that the requests are written together; each answer's \`Server-Timing\` says whether it was rendered for it (\`render\`), waited for another reader's render under way (\`shared\`) or came from the copy that render stored (\`hit\`: that reader was handled once the render was done). Every answer is checked to show the new total.`,
    );
    out.push("");
    out.push(
      table(
        ["trial", "the post shows", "render", "shared", "hit", "other", "answers"],
        l.readers.trials.map((t, i) => [
          String(i + 1),
          `${n0(t.expected)} comments${t.wrongTotal ? ` (${t.wrongTotal} answer(s) showed another total)` : ""}`,
          String(t.render),
          String(t.shared),
          String(t.hit),
          String(t.other),
          Object.entries(t.statuses)
            .map(([k, v]) => `${k}: ${v}`)
            .join(", "),
        ]),
      ),
    );
    out.push("");
  }
  return out.join("\n");
}

export function largeSummary(l: LargeResult): string[] {
  const lines: string[] = [];
  for (const p of l.problems) lines.push(`large: PROBLEM: ${p}`);
  for (const x of l.rows)
    lines.push(
      `large ${`${n0(x.comments)}${x.page > 1 ? ` p.${x.page}` : ""}`.padStart(9)}: page ${x.cached ? `${n0(x.cached.rps)} req/s` : "–"}, after a change ${x.afterChange ? `${n0(x.afterChange.rps)} req/s ${cpu(overCeiling(x.afterChange, l.ceilingChange))} CPU ms over the ceiling` : "–"}, bypassed ${x.bypassed ? cpu(overCeiling(x.bypassed, l.ceilingChange)) : "–"}, counts ${x.counts ? cpu(overCeiling(x.counts, l.ceilingChange)) : "–"}`,
    );
  if (l.readers) lines.push(`large: ${l.readers.trials.map((t) => `${t.render} render(s) for ${t.readers} readers`).join("; ")}`);
  return lines;
}
