// The bench report: Markdown for people, and the same data as JSON.
import type { LighthouseResult } from "./lighthouse.ts";
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
  scenarios: Partial<Record<"ceiling" | "page" | "json" | "create" | "pageUncached", LoadResult>>;
  reference: Partial<Record<"ceiling" | "page", LoadResult>>;
  noLoss: { accepted: number; stored: number; lost: number; duplicates: number; storedUnanswered: number } | null;
  growth: GrowthRow[];
  sizes: { bundle: BundleSize; widget: Sized; page: PageWeight } | null;
  lighthouse: LighthouseResult | null;
  lighthouseError: string | null;
  /** Cores busy on the whole machine while Lighthouse ran (its Chromium included). */
  lighthouseMachineBusyCores: number | null;
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
    rows.push([`comment creation vs ${p.name} (req/s, ≥ 3×)`, ratio(xc), xc >= 3 ? "met" : "**not met**"]);
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
  for (const k of ["ceiling", "page", "json", "create", "pageUncached"] as const) {
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
  if (r.sizes)
    lines.push(
      `sizes: Worker ${kb(r.sizes.bundle.gzip)} gzip, widget ${kb(r.sizes.widget.gzip)} gzip, seed page ${kb(r.sizes.page.total.bytes)} (${kb(r.sizes.page.total.gzip)} gzip)`,
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
