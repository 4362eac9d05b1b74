// Runs a scenario (a few posts and a list of operations) through the Worker's HTTP API against the
// real local D1/KV/assets, keeps the model in step, and checks every view of the posts against it.
// Operations refer to comments by their place in the run's creation order (`#k`, modulo the number
// of comments so far), so any list of operations is valid, shrinks well, and replays as written.
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { parse } from "parse5";
import { vi } from "vitest";
import { renderCommentHtml } from "../../workers/render/markdown.ts";
import { planImport, planSql } from "../../scripts/import/plan.ts";
import type { ParsedExport, SourceComment } from "../../scripts/import/formats.ts";
import { ACTION_STATUS, MODERATION_STATES, Model, type Action, type MComment, type PageNode, type Status } from "./model.ts";
import { seededRandom } from "../../scripts/random.ts";

// The model project's settings (vitest.config.ts).
export const PER_PAGE = 3;
export const MAX_DEPTH = 3;
const MAX_LINKS = 2;
const ADMIN = { Authorization: "Bearer test-admin-token" };
const FEED_SIZE = 50;

// ---------------------------------------------------------------------------------------------
// Operations

export type ImportParent = null | { row: number } | { ref: number };
export interface ImportRow {
  parent: ImportParent;
  status: Exclude<Status, "purged">;
  author: number;
  text: number;
}

export type Op =
  /** A top-level comment on the run's post `post`; `links` bare links (more than 2: held). */
  | { op: "post"; post: number; author: number; text: number; links: number }
  /** A reply to comment #to, on its post (or on the run's post `post`, when given: refused). */
  | { op: "reply"; to: number; author: number; text: number; links: number; post?: number }
  /** The same author and text as comment #of, on the same post. */
  | { op: "repost"; of: number }
  /** The author of comment #target changes its text (with its edit token). */
  | { op: "edit"; target: number; text: number; links: number }
  /** …to the text of comment #of (a duplicate when they share post and author). */
  | { op: "editCopy"; target: number; of: number }
  | { op: "moderate"; target: number; action: Action }
  /** One bulk action on these comments, plus `padding` ids that do not exist. */
  | { op: "bulk"; targets: number[]; action: Action; padding: number }
  /** A reader (and the moderator) look at every view of the run's post `post`, checked there and then. */
  | { op: "view"; post: number }
  | { op: "close"; post: number }
  | { op: "reopen"; post: number }
  /** `npm run import`'s SQL (scripts/import/plan.ts) for these rows on the run's post `post`. */
  | { op: "import"; post: number; rows: ImportRow[] };

export interface Scenario {
  /** Indexes into the fixture's posts (by slug order): the run's posts. */
  posts: number[];
  /** Picks the page sizes of the list walks. */
  seed: number;
  ops: Op[];
}

export const AUTHORS = ["Zoé", "Jean <b>O'Brien</b> & fils", '"Ana" Müller'];
export const TEXTS = [
  "D’accord avec vous.",
  "Pas du tout d'accord : *vraiment* pas.",
  'Et les <balises> & les "guillemets" ?',
  "Merci pour ce billet !",
  "Une réponse\nsur deux lignes.",
  "`code` et **gras**",
  "Thanks, great post.",
  "> une citation\n\nsuivie d’un avis",
];

export function commentText(text: number, links: number): string {
  const urls = Array.from({ length: links }, (_, i) => `https://exemple.fr/page-${i + 1}`);
  return [TEXTS[text % TEXTS.length], ...urls].join(" ");
}

// ---------------------------------------------------------------------------------------------
// Options (BILLET_MODEL_SKIP): operation kinds, moderation actions and checks to leave out.

export const CHECKS = ["step-counts", "posts-list", "counts", "admin-counts", "json", "feed", "admin-list", "pages"] as const;

export function skipList(): Set<string> {
  return new Set(
    (env.BILLET_MODEL_SKIP ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

export function scenarioArb(maxOps: number, skip: Set<string> = new Set()): fc.Arbitrary<Scenario> {
  const ref = fc.nat({ max: 40 });
  const author = fc.nat({ max: AUTHORS.length - 1 });
  const text = fc.nat({ max: TEXTS.length - 1 });
  const links = fc.oneof(
    { weight: 6, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 2 }) },
    { weight: 1, arbitrary: fc.constant(3) },
  );
  const post = fc.nat({ max: 3 });
  const actions = (["approve", "pending", "spam", "delete", "purge"] as const).filter((a) => !skip.has(a));
  const action = actions.length ? fc.constantFrom(...actions) : fc.constant<Action>("approve");
  const status = fc.constantFrom<ImportRow["status"]>("approved", "approved", "deleted", "pending", "spam");
  const kinds: [string, number, fc.Arbitrary<Op>][] = [
    ["post", 6, fc.record({ op: fc.constant("post" as const), post, author, text, links })],
    [
      "reply",
      7,
      fc.record(
        { op: fc.constant("reply" as const), to: ref, author, text, links, post: fc.option(post, { nil: undefined, freq: 8 }) },
        { requiredKeys: ["op", "to", "author", "text", "links"] },
      ),
    ],
    ["repost", 2, fc.record({ op: fc.constant("repost" as const), of: ref })],
    ["edit", 2, fc.record({ op: fc.constant("edit" as const), target: ref, text, links })],
    ["editCopy", 1, fc.record({ op: fc.constant("editCopy" as const), target: ref, of: ref })],
    ["moderate", 5, fc.record({ op: fc.constant("moderate" as const), target: ref, action })],
    [
      "bulk",
      2,
      fc.record({
        op: fc.constant("bulk" as const),
        targets: fc.array(ref, { minLength: 1, maxLength: 8 }),
        action,
        // Sometimes over 90 ids, so that the statements are sliced ("big-bulk" in BILLET_MODEL_SKIP: never);
        // at most 100 in all, what the endpoint takes (8 targets and 92 more).
        padding: skip.has("big-bulk")
          ? fc.constant(0)
          : fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 85, max: 92 }) }),
      }),
    ],
    ["view", 2, fc.record({ op: fc.constant("view" as const), post })],
    ["close", 1, fc.record({ op: fc.constant("close" as const), post })],
    ["reopen", 1, fc.record({ op: fc.constant("reopen" as const), post })],
    [
      "import",
      2,
      fc.record({
        op: fc.constant("import" as const),
        post,
        rows: fc.array(
          fc.record({
            parent: fc.oneof(fc.constant(null), fc.record({ row: fc.nat({ max: 3 }) }), fc.record({ ref })),
            status,
            author,
            text,
          }),
          { minLength: 1, maxLength: 4 },
        ),
      }),
    ],
  ];
  const op = fc.oneof(...kinds.filter(([name]) => !skip.has(name)).map(([, weight, arbitrary]) => ({ weight, arbitrary })));
  return fc.record({
    posts: fc.uniqueArray(fc.nat({ max: fixtureSlugs().length - 1 }), { minLength: 1, maxLength: 4 }),
    seed: fc.nat(),
    ops: fc.array(op, { maxLength: maxOps, size: "max" }),
  });
}

// ---------------------------------------------------------------------------------------------
// The fixture

let slugsCache: string[] | null = null;
/** The fixture's post slugs, in slug order. */
export function fixtureSlugs(): string[] {
  if (!slugsCache) {
    slugsCache = env.TEST_KV_RECORDS.filter((r) => r.key.startsWith("post:"))
      .map((r) => r.key.slice(5))
      .sort();
  }
  return slugsCache;
}

function postRecord(slug: string): Record<string, unknown> {
  const record = env.TEST_KV_RECORDS.find((r) => r.key === `post:${slug}`);
  if (!record) throw new Error(`no fixture post ${slug}`);
  return JSON.parse(record.value);
}

async function setOpen(slug: string, open: boolean): Promise<void> {
  await env.POSTS.put(`post:${slug}`, JSON.stringify({ ...postRecord(slug), comments_open: open }));
}

// ---------------------------------------------------------------------------------------------
// Running

export class ModelFailure extends Error {}

/**
 * How long an isolate may keep serving what it read before a write made behind the Worker's back
 * (D1 written directly, as `npm run import` and a console do): it trusts a post's version for 5 s
 * (workers/pages/cache.ts). After such a write the harness lets that time pass, on a fake clock.
 */
export const OUT_OF_BAND_DELAY_MS = 6_000;
/** After a post record is rewritten in KV (closing, reopening): KV reads are cached for 60 s. */
export const KV_DELAY_MS = 61_000;
let clockFaked = false;
function letTimePass(ms: number): void {
  if (!clockFaked) vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
  clockFaked = true;
  vi.setSystemTime(Date.now() + ms);
}

let runCounter = 0;
/** Posts closed by an earlier run, reopened by the next. */
const closedByEarlierRuns = new Set<string>();
const UNKNOWN_ID = 900_000_000;

interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: an answer's fields are compared one by one with the model
  body: any;
}

export class Runner {
  readonly model = new Model();
  readonly run = ++runCounter;
  readonly origin = `https://r${this.run}.billet.test`;
  readonly slugs: string[];
  readonly trace: string[] = [];
  readonly skip: Set<string>;
  private readonly random: () => number;
  private ip = 0;
  private imported = 0;
  private sources = new Map<number, SourceComment>();
  private baseline: Record<string, number> = { pending: 0, approved: 0, spam: 0, deleted: 0 };

  readonly scenario: Scenario;

  constructor(scenario: Scenario, skip: Set<string> = new Set()) {
    this.scenario = scenario;
    const all = fixtureSlugs();
    this.slugs = [...new Set(scenario.posts.map((i) => all[i % all.length]))];
    this.random = seededRandom(scenario.seed);
    this.skip = skip;
  }

  fail(message: string): never {
    throw new ModelFailure(
      `${message}\n\nposts: ${this.slugs.join(", ")}\ntrace (run ${this.run}):\n${this.trace.map((l) => `  ${l}`).join("\n") || "  (no operation)"}`,
    );
  }

  check(ok: boolean, message: () => string): void {
    if (!ok) this.fail(message());
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    return exports.default.fetch(new Request(`${this.origin}${path}`, init));
  }

  private reader(): Record<string, string> {
    this.ip++;
    return { "CF-Connecting-IP": `2001:db8:${this.run.toString(16)}::${this.ip.toString(16)}` };
  }

  async api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const init: RequestInit = { method, headers: { ...this.reader(), ...headers } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)["Content-Type"] = "application/json";
    }
    const res = await this.fetch(path, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body: parsed };
  }

  /**
   * A clean slate: no comment, every post open. An approved row is also written and removed on
   * each of the run's posts, a visible change, so that nothing cached by an earlier run is served
   * in this one: a failure belongs to the run that shows it.
   */
  async reset(): Promise<void> {
    await env.DB.prepare("DELETE FROM comments").run();
    // What the spam filter learned from the previous run's decisions, where there is a filter.
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('spam_features', 'blocks')").all<{ name: string }>();
    for (const { name } of tables.results) await env.DB.prepare(`DELETE FROM ${name}`).run();
    const now = Date.now();
    await env.DB.batch(
      this.slugs.flatMap((slug) => [
        env.DB.prepare(
          "INSERT INTO comments (post_slug, depth, author_name, content, html, status, created_at, updated_at) VALUES (?, 0, 'reset', 'reset', '<p>reset</p>', 'approved', ?, ?)",
        ).bind(slug, now, now),
        env.DB.prepare("DELETE FROM comments WHERE post_slug = ?").bind(slug),
      ]),
    );
    for (const slug of new Set([...closedByEarlierRuns, ...this.slugs])) await setOpen(slug, true);
    letTimePass(closedByEarlierRuns.size ? KV_DELAY_MS : OUT_OF_BAND_DELAY_MS);
    closedByEarlierRuns.clear();
    const counts = await this.api("GET", "/api/admin/comments/counts", undefined, ADMIN);
    if (counts.status === 200) this.baseline = counts.body;
  }

  resolve(ref: number, filter: (c: MComment) => boolean = () => true): MComment | undefined {
    const list = this.model.comments.filter(filter);
    return list.length ? list[ref % list.length] : undefined;
  }

  /** What may be copied into a twin ("import-twins" in BILLET_MODEL_SKIP: not imported comments). */
  private twinSource = (c: MComment) => !(c.imported && this.skip.has("import-twins"));

  private describe(c: MComment): string {
    return `#${c.ref} (id ${c.id}, ${c.status}${c.imported ? ", imported" : ""})`;
  }

  async execute(op: Op, index: number): Promise<void> {
    const head = `${index + 1}. ${JSON.stringify(op)}`;
    // Shown as the last line of the trace if the operation itself fails.
    this.trace.push(`${head} → (failed here)`);
    const line = await this.apply(op);
    this.trace[this.trace.length - 1] = `${head} → ${line}`;
  }

  private async apply(op: Op): Promise<string> {
    switch (op.op) {
      case "post":
        return this.postComment(this.slugs[op.post % this.slugs.length], AUTHORS[op.author % AUTHORS.length], commentText(op.text, op.links), null);
      case "reply": {
        const parent = this.resolve(op.to);
        if (!parent) return "skipped (no comment yet)";
        const slug = op.post === undefined ? parent.slug : this.slugs[op.post % this.slugs.length];
        return `to ${this.describe(parent)}: ${await this.postComment(slug, AUTHORS[op.author % AUTHORS.length], commentText(op.text, op.links), parent)}`;
      }
      case "repost": {
        const twin = this.resolve(op.of, this.twinSource);
        if (!twin) return "skipped (no comment yet)";
        return `of ${this.describe(twin)}: ${await this.postComment(twin.slug, twin.author, twin.content, null)}`;
      }
      case "edit":
      case "editCopy": {
        const target = this.resolve(op.target, (c) => c.token !== null);
        if (!target) return "skipped (no comment written through the API)";
        let content: string;
        if (op.op === "edit") content = commentText(op.text, op.links);
        else {
          content = (this.resolve(op.of, this.twinSource) ?? target).content;
        }
        return `${this.describe(target)}: ${await this.edit(target, content)}`;
      }
      case "moderate": {
        const target = this.resolve(op.target);
        if (!target) return "skipped (no comment yet)";
        return `${this.describe(target)}: ${await this.moderate(target, op.action)}`;
      }
      case "bulk":
        return this.bulk(op.targets, op.action, op.padding);
      case "view": {
        const slug = this.slugs[op.post % this.slugs.length];
        await this.checkPost(slug);
        return `${slug}: as the model says`;
      }
      case "close":
      case "reopen": {
        const slug = this.slugs[op.post % this.slugs.length];
        await setOpen(slug, op.op === "reopen");
        letTimePass(KV_DELAY_MS);
        if (op.op === "close") {
          this.model.closed.add(slug);
          closedByEarlierRuns.add(slug);
        } else this.model.closed.delete(slug);
        return slug;
      }
      case "import":
        return this.importRows(this.slugs[op.post % this.slugs.length], op.rows);
    }
  }

  private async postComment(slug: string, author: string, content: string, parent: MComment | null): Promise<string> {
    const m = this.model;
    const body: Record<string, unknown> = { author_name: author, content };
    if (parent) body.parent_id = parent.id;
    const res = await this.api("POST", `/api/posts/${slug}/comments`, body);
    const got = `${res.status} ${res.body?.error?.code ?? res.body?.status ?? ""}`.trim();
    if (m.closed.has(slug)) {
      this.check(
        res.status === 403 && res.body?.error?.code === "comments_closed",
        () => `posting on closed post ${slug}: expected 403 comments_closed, got ${res.status} ${JSON.stringify(res.body)}`,
      );
      return `${slug}: ${got}`;
    }
    const allowed: string[] = [];
    if (parent && (parent.slug !== slug || parent.status !== "approved")) allowed.push("422 validation_failed");
    if (m.twinOf(slug, author, content)) allowed.push("409 duplicate_comment");
    if (allowed.length) {
      this.check(
        allowed.includes(`${res.status} ${res.body?.error?.code}`),
        () => `posting on ${slug}: expected ${allowed.join(" or ")}, got ${res.status} ${JSON.stringify(res.body)}`,
      );
      if (res.status === 422) this.check(res.body?.error?.fields?.parent_id !== undefined, () => `422 without fields.parent_id: ${JSON.stringify(res.body)}`);
      return `${slug}: ${got}`;
    }
    const held = (content.match(/https:\/\//g) ?? []).length > MAX_LINKS;
    const status = held ? "pending" : "approved";
    this.check(
      res.status === (held ? 202 : 201) && res.body?.status === status,
      () => `posting on ${slug}: expected ${held ? "202 pending" : "201 approved"}, got ${res.status} ${JSON.stringify(res.body)}`,
    );
    const c = res.body.comment;
    const place = parent ? m.placeReply(parent, MAX_DEPTH) : null;
    const expected = { parent_id: place?.id ?? null, depth: place ? place.depth + 1 : 0 };
    this.check(
      c.parent_id === expected.parent_id && c.depth === expected.depth,
      () => `new comment ${c.id}: expected parent ${expected.parent_id} depth ${expected.depth}, got parent ${c.parent_id} depth ${c.depth}`,
    );
    this.check(!m.byId.has(c.id) && c.content === content && c.author?.name === author, () => `new comment: unexpected answer ${JSON.stringify(c)}`);
    this.check(typeof res.body.edit_token === "string", () => `no edit token in ${JSON.stringify(res.body)}`);
    const added: MComment = {
      ref: m.comments.length,
      id: c.id,
      slug,
      parentId: expected.parent_id,
      depth: expected.depth,
      author,
      content,
      status,
      token: res.body.edit_token,
      imported: false,
    };
    m.add(added);
    return `${slug}: ${got} → #${added.ref} id ${c.id}${place ? ` under id ${place.id} at depth ${added.depth}` : ""}`;
  }

  private async edit(target: MComment, content: string): Promise<string> {
    const res = await this.api("PATCH", `/api/comments/${target.id}`, { content }, { "X-Edit-Token": target.token! });
    const got = `${res.status} ${res.body?.error?.code ?? res.body?.status ?? ""}`.trim();
    if (target.status !== "approved" && target.status !== "pending") {
      this.check(
        res.status === 404 && res.body?.error?.code === "comment_not_found",
        () => `editing ${target.status} comment ${target.id}: expected 404 comment_not_found, got ${res.status} ${JSON.stringify(res.body)}`,
      );
      return got;
    }
    if (this.model.twinOf(target.slug, target.author, content, target.id)) {
      this.check(
        res.status === 409 && res.body?.error?.code === "duplicate_comment",
        () => `editing ${target.id} into a twin: expected 409 duplicate_comment, got ${res.status} ${JSON.stringify(res.body)}`,
      );
      return got;
    }
    const held = (content.match(/https:\/\//g) ?? []).length > MAX_LINKS;
    const status = target.status === "approved" && held ? "pending" : target.status;
    this.check(
      res.status === 200 && res.body?.status === status && res.body?.comment?.content === content,
      () => `editing ${target.status} comment ${target.id}: expected 200 ${status}, got ${res.status} ${JSON.stringify(res.body)}`,
    );
    target.content = content;
    target.status = status;
    return `${got} (now ${JSON.stringify(content)})`;
  }

  private async moderate(target: MComment, action: Action): Promise<string> {
    const path = `/api/admin/comments/${target.id}`;
    const res =
      action === "delete"
        ? await this.api("DELETE", path, undefined, ADMIN)
        : action === "purge"
          ? await this.api("DELETE", `${path}?purge=1`, undefined, ADMIN)
          : await this.api("POST", `${path}/${action}`, undefined, ADMIN);
    const got = `${res.status}${res.body?.error?.code ? ` ${res.body.error.code}` : ""}`;
    const status = ACTION_STATUS[action];
    if (target.status === "purged") {
      // Gone for good: nothing brings it back. Purging it again may say so (404) or be a no-op (204).
      const ok = (res.status === 404 && res.body?.error?.code === "comment_not_found") || (action === "purge" && res.status === 204);
      this.check(
        ok,
        () =>
          `${action} on purged comment ${target.id}: expected 404 comment_not_found${action === "purge" ? " (or 204)" : ""}, got ${res.status} ${JSON.stringify(res.body)}`,
      );
      return got;
    }
    if (this.model.duplicateAfter(new Map([[target.id, status]]))) {
      this.check(
        res.status === 409 && res.body?.error?.code === "duplicate_comment",
        () => `${action} on ${target.id} (its twin counts): expected 409 duplicate_comment, got ${res.status} ${JSON.stringify(res.body)}`,
      );
      return got;
    }
    const expected = action === "delete" || action === "purge" ? 204 : 200;
    this.check(
      res.status === expected,
      () => `${action} on ${target.status} comment ${target.id}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`,
    );
    if (expected === 200)
      this.check(
        res.body?.comment?.id === target.id && res.body?.comment?.status === status,
        () => `${action} on ${target.id}: answer ${JSON.stringify(res.body)}`,
      );
    target.status = status;
    return got;
  }

  private async bulk(refs: number[], action: Action, padding: number): Promise<string> {
    const targets = refs.map((r) => this.resolve(r)).filter((c): c is MComment => c !== undefined);
    const ids = [...targets.map((c) => c.id), ...Array.from({ length: padding }, (_, i) => UNKNOWN_ID + i)];
    if (!ids.length) ids.push(UNKNOWN_ID);
    const res = await this.api("POST", "/api/admin/comments/bulk", { ids, action }, ADMIN);
    const got = `${res.status}${res.body?.error?.code ? ` ${res.body.error.code}` : ""}`;
    const live = [...new Set(targets.filter((c) => c.status !== "purged"))];
    const status = ACTION_STATUS[action];
    const what = `${action} ${ids.length} id(s) [${targets.map((c) => this.describe(c)).join(", ")}${padding ? ` + ${padding} unknown` : ""}]`;
    if (this.model.duplicateAfter(new Map(live.map((c) => [c.id, status])))) {
      this.check(
        res.status === 409 && res.body?.error?.code === "duplicate_comment",
        () => `bulk ${what}: twins would both count: expected 409 duplicate_comment, got ${res.status} ${JSON.stringify(res.body)}`,
      );
      return `${what}: ${got}`;
    }
    const updated = new Set<number>(Array.isArray(res.body?.updated) ? res.body.updated : []);
    const want = live.map((c) => c.id).sort((a, b) => a - b);
    // A purge may also list comments purged before (a no-op on them); nothing else.
    const alsoOk = new Set(action === "purge" ? targets.filter((c) => c.status === "purged").map((c) => c.id) : []);
    const ok = res.status === 200 && want.every((id) => updated.has(id)) && [...updated].every((id) => want.includes(id) || alsoOk.has(id));
    this.check(ok, () => `bulk ${what}: expected 200 updated ${JSON.stringify(want)}, got ${res.status} ${JSON.stringify(res.body)}`);
    for (const c of live) c.status = status;
    return `${what}: ${got}`;
  }

  private async importRows(slug: string, rows: ImportRow[]): Promise<string> {
    const m = this.model;
    const comments: SourceComment[] = [];
    const fresh: { source: SourceComment; parent: MComment | SourceComment | null }[] = [];
    const now = Date.now() - 86_400_000;
    const earlier = (c: MComment) => c.imported && c.slug === slug && c.status !== "purged";
    for (const [i, row] of rows.entries()) {
      this.imported++;
      const key = `model:${this.run}:${this.imported}`;
      let parent: MComment | SourceComment | null = null;
      if (row.parent && "row" in row.parent && i > 0) parent = fresh[row.parent.row % i].source;
      if (row.parent && "ref" in row.parent) {
        const p = this.resolve(row.parent.ref, earlier);
        if (p) {
          parent = p;
          // The file holds the whole thread, as an export does (already present rows are kept).
          for (let a: MComment | undefined = p; a; a = a.parentId === null ? undefined : m.byId.get(a.parentId)) {
            const source = this.sources.get(a.id)!;
            if (!comments.includes(source)) comments.push(source);
          }
        }
      }
      const source: SourceComment = {
        sourceId: key,
        parentSourceId: parent === null ? null : "sourceId" in parent ? parent.sourceId : this.sources.get(parent.id)!.sourceId,
        importKey: key,
        authorName: AUTHORS[row.author % AUTHORS.length],
        authorEmail: null,
        authorUrl: null,
        content: `Importé n°${this.imported} : ${TEXTS[row.text % TEXTS.length]}`,
        status: row.status,
        heldFor: null,
        createdAt: now + this.imported * 1000,
        editedAt: null,
        updatedAt: now + this.imported * 1000,
        ipHash: null,
        editTokenHash: null,
      };
      comments.push(source);
      fresh.push({ source, parent });
    }
    const parsed: ParsedExport = { format: "json", threads: [{ label: slug, refs: [`/posts/${slug}/`], slug, comments }], ignored: {}, warnings: [] };
    const plan = planImport(parsed, { posts: new Set([slug]) });
    // One INSERT a comment (texts may hold line breaks), after a comment line.
    const statements = planSql(plan)
      .split(/;\n(?=INSERT |$)/)
      .map((l) => l.replace(/^--.*\n/, "").trim())
      .filter((l) => l.startsWith("INSERT"));
    await env.DB.batch(statements.map((s) => env.DB.prepare(s)));
    letTimePass(OUT_OF_BAND_DELAY_MS);
    const keys = fresh.map((f) => f.source.importKey!);
    const { results } = await env.DB.prepare(`SELECT id, import_key, parent_id, depth FROM comments WHERE import_key IN (${keys.map(() => "?").join(", ")})`)
      .bind(...keys)
      .all<{ id: number; import_key: string; parent_id: number | null; depth: number }>();
    const idOf = new Map(results.map((r) => [r.import_key, r]));
    const added: string[] = [];
    for (const { source, parent } of fresh) {
      const row = idOf.get(source.importKey!);
      if (!row) this.fail(`import: ${source.importKey} was not inserted`);
      const parentComment = parent === null ? null : "sourceId" in parent ? m.comments.find((c) => c.id === idOf.get(parent.importKey!)?.id)! : parent;
      const expected = { parentId: parentComment?.id ?? null, depth: parentComment ? parentComment.depth + 1 : 0 };
      // The harness's own check: the import placed it where the model says.
      this.check(
        row.parent_id === expected.parentId && row.depth === expected.depth,
        () => `import: ${source.importKey} stored under ${row.parent_id} at depth ${row.depth}, model says ${expected.parentId} at ${expected.depth}`,
      );
      const c: MComment = {
        ref: m.comments.length,
        id: row.id,
        slug,
        parentId: expected.parentId,
        depth: expected.depth,
        author: source.authorName,
        content: source.content,
        status: source.status,
        token: null,
        imported: true,
      };
      m.add(c);
      this.sources.set(c.id, source);
      added.push(`#${c.ref} id ${c.id} ${c.status}${c.parentId ? ` under id ${c.parentId}` : ""}`);
    }
    return `${slug}: ${added.join("; ")}`;
  }

  // -------------------------------------------------------------------------------------------
  // Checks

  /** After an operation: the counts of the run's posts (one request). */
  async checkStep(): Promise<void> {
    if (this.skip.has("step-counts")) return;
    const res = await this.api("GET", `/api/comments/counts?posts=${this.slugs.join(",")}`);
    const want = Object.fromEntries(this.slugs.map((s) => [s, this.model.visible(s).length]));
    this.check(
      res.status === 200 && this.slugs.every((s) => res.body?.[s] === want[s]),
      () => `after the last operation, counts of the run's posts: expected 200 ${JSON.stringify(want)}, got ${res.status} ${JSON.stringify(res.body)}`,
    );
  }

  private limit(): number {
    return 1 + Math.floor(this.random() * 5);
  }

  async checkAll(): Promise<void> {
    const all = fixtureSlugs();
    const count = (slug: string) => this.model.visible(slug).length;
    if (!this.skip.has("posts-list")) {
      const res = await this.api("GET", "/api/posts");
      this.check(res.status === 200, () => `GET /api/posts (${all.length} posts): ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      const posts = res.body.posts as { slug: string; comment_count: number }[];
      this.check(
        JSON.stringify(posts.map((p) => p.slug).sort()) === JSON.stringify(all),
        () => `GET /api/posts lists ${posts.length} posts, not the fixture's ${all.length}`,
      );
      const wrong = posts.filter((p) => p.comment_count !== count(p.slug)).map((p) => `${p.slug}: ${p.comment_count}, model ${count(p.slug)}`);
      this.check(wrong.length === 0, () => `GET /api/posts comment_count:\n  ${wrong.join("\n  ")}`);
    }
    if (!this.skip.has("counts")) {
      // Every post, in calls of at most 100 slugs (the first of exactly 100), from a rotating start.
      const start = (this.run * 37) % all.length;
      const order = [...all.slice(start), ...all.slice(0, start)];
      for (let i = 0; i < order.length; i += 100) {
        const chunk = order.slice(i, i + 100);
        const res = await this.api("GET", `/api/comments/counts?posts=${chunk.join(",")}`);
        this.check(res.status === 200, () => `GET /api/comments/counts with ${chunk.length} slugs: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        const wrong = chunk.filter((s) => res.body[s] !== count(s)).map((s) => `${s}: ${res.body[s]}, model ${count(s)}`);
        this.check(
          wrong.length === 0 && Object.keys(res.body).length === chunk.length,
          () => `GET /api/comments/counts (${chunk.length} slugs):\n  ${wrong.join("\n  ")}`,
        );
      }
    }
    if (!this.skip.has("admin-counts")) {
      const res = await this.api("GET", "/api/admin/comments/counts", undefined, ADMIN);
      const model = this.model.adminCounts();
      const want = Object.fromEntries(MODERATION_STATES.map((s) => [s, (this.baseline[s] ?? 0) + model[s]]));
      this.check(
        res.status === 200 && JSON.stringify(res.body) === JSON.stringify({ ...res.body, ...want }) && Object.keys(res.body).length === 4,
        () => `GET /api/admin/comments/counts: expected ${JSON.stringify(want)}, got ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
    for (const slug of this.slugs) await this.checkPost(slug);
  }

  async checkPost(slug: string): Promise<void> {
    const m = this.model;
    const visible = m.visible(slug);
    const open = !m.closed.has(slug);
    if (!this.skip.has("json")) {
      for (const sort of ["oldest", "newest"] as const) {
        const ids: number[] = [];
        let cursor: string | null = null;
        for (let guard = 0; guard < 500; guard++) {
          const res = await this.api("GET", `/api/posts/${slug}/comments?limit=${this.limit()}&sort=${sort}${cursor ? `&cursor=${cursor}` : ""}`);
          this.check(res.status === 200, () => `JSON list of ${slug} (${sort}): ${res.status} ${JSON.stringify(res.body)}`);
          this.check(
            res.body.meta.total === visible.length && res.body.meta.open === open,
            () => `JSON list of ${slug}: meta ${JSON.stringify(res.body.meta)}, model total ${visible.length}, open ${open}`,
          );
          for (const c of res.body.comments) {
            ids.push(c.id);
            const mc = m.byId.get(c.id);
            this.check(
              mc !== undefined &&
                mc.status === "approved" &&
                mc.slug === slug &&
                c.content === mc.content &&
                c.parent_id === mc.parentId &&
                c.depth === mc.depth &&
                c.author?.name === mc.author &&
                c.html === renderCommentHtml(mc.content),
              () => `JSON list of ${slug}: comment ${JSON.stringify(c)}, model ${JSON.stringify(mc)}`,
            );
          }
          cursor = res.body.meta.next_cursor;
          if (cursor === null) break;
        }
        const want = visible.map((c) => c.id);
        if (sort === "newest") want.reverse();
        this.check(
          JSON.stringify(ids) === JSON.stringify(want),
          () => `JSON list of ${slug} (${sort}) walked through its cursors: ${JSON.stringify(ids)}, model ${JSON.stringify(want)}`,
        );
      }
    }
    if (!this.skip.has("feed")) {
      const res = await this.fetch(`/posts/${slug}/comments.xml`);
      const xml = await res.text();
      const entries = [...xml.matchAll(/<entry>[\s\S]*?<\/entry>/g)].map((e) => e[0]);
      const ids = entries.map((e) => Number(/<link href="[^"]*#comment-(\d+)"\/>/.exec(e)?.[1]));
      const want = visible
        .map((c) => c.id)
        .reverse()
        .slice(0, FEED_SIZE);
      this.check(
        res.status === 200 && JSON.stringify(ids) === JSON.stringify(want),
        () => `feed of ${slug}: ${res.status}, entries ${JSON.stringify(ids)}, model ${JSON.stringify(want)}`,
      );
    }
    if (!this.skip.has("admin-list")) {
      for (const status of MODERATION_STATES) {
        const ids: number[] = [];
        let cursor: string | null = null;
        for (let guard = 0; guard < 500; guard++) {
          const res = await this.api(
            "GET",
            `/api/admin/comments?status=${status}&post=${slug}&limit=${this.limit()}${cursor ? `&cursor=${cursor}` : ""}`,
            undefined,
            ADMIN,
          );
          this.check(res.status === 200, () => `admin list ${status} of ${slug}: ${res.status} ${JSON.stringify(res.body)}`);
          for (const c of res.body.comments) {
            ids.push(c.id);
            const mc = m.byId.get(c.id);
            this.check(
              c.status === status && c.post_slug === slug && mc !== undefined && c.content === mc.content && c.author?.name === mc.author,
              () => `admin list ${status} of ${slug}: ${JSON.stringify(c)}, model ${JSON.stringify(mc)}`,
            );
          }
          cursor = res.body.meta.next_cursor;
          if (cursor === null) break;
        }
        const want = m.comments
          .filter((c) => c.slug === slug && c.status === status)
          .map((c) => c.id)
          .sort((a, b) => a - b);
        const got = [...ids].sort((a, b) => a - b);
        this.check(
          JSON.stringify(got) === JSON.stringify(want),
          () => `admin list ${status} of ${slug} walked through its cursors: ${JSON.stringify(ids)}, model ${JSON.stringify(want)}`,
        );
      }
    }
    if (!this.skip.has("pages")) await this.checkPages(slug, visible, open);
  }

  private async checkPages(slug: string, visible: MComment[], open: boolean): Promise<void> {
    const m = this.model;
    const expected = m.pages(slug, PER_PAGE);
    const seen = new Map<number, number>();
    const approvedTexts = visible.map((c) => textOf(renderCommentHtml(c.content)));
    const hidden = m.comments
      .filter((c) => c.slug === slug && c.status !== "approved")
      .map((c) => textOf(renderCommentHtml(c.content)))
      .filter((t) => t && !approvedTexts.some((a) => a.includes(t)));
    for (let p = 1; p <= expected.pageCount; p++) {
      const paths = p === 1 ? [`/posts/${slug}/`, `/posts/${slug}/?page=1`] : [`/posts/${slug}/?page=${p}`];
      for (const path of paths) {
        const res = await this.fetch(path);
        const html = await res.text();
        this.check(res.status === 200, () => `page ${path}: ${res.status}`);
        const where = `page ${path} (${expected.pageCount} page(s), ${visible.length} visible)`;
        const spans = [...html.matchAll(/<span class="comment-count" data-count="(\d+)">\((\d+)\)<\/span>/g)];
        this.check(
          spans.length === 1 && Number(spans[0][1]) === visible.length && Number(spans[0][2]) === visible.length,
          () => `${where}: comment count ${spans.map((s) => s[0]).join(" ") || "missing"}, model ${visible.length}`,
        );
        this.check(
          // A closed post with none says only that comments are closed.
          html.includes('<p class="no-comments">') === (visible.length === 0 && open),
          () => `${where}: "no comments" shown: ${html.includes('<p class="no-comments">')}`,
        );
        this.check(
          html.includes('<form class="comment-form"') === open && html.includes('class="comments-closed"') === !open,
          () => `${where}: the post is ${open ? "open" : "closed"}, the page ${html.includes('<form class="comment-form"') ? "has" : "has no"} form`,
        );
        const nodes = readPage(html);
        const got = nodes.map((n) => ({ id: n.id, cls: n.cls, number: n.number, parent: n.parent }));
        const want = expected.pages[p - 1];
        this.check(
          JSON.stringify(sortNodes(got)) === JSON.stringify(sortNodes(want)),
          () => `${where}: comments shown (id, class, number, parent)\n  page:  ${fmtNodes(got)}\n  model: ${fmtNodes(want)}`,
        );
        for (const n of nodes) {
          const mc = m.byId.get(n.id)!;
          this.check(n.href === `#comment-${n.id}` && n.label !== "", () => `${where}: comment ${n.id}'s number link is ${n.href} (aria-label "${n.label}")`);
          if (n.cls === "comment") {
            this.check(
              n.author === mc.author && n.body === textOf(renderCommentHtml(mc.content)) && !n.removed,
              () =>
                `${where}: comment ${n.id} shows author ${JSON.stringify(n.author)} and text ${JSON.stringify(n.body)}, model ${JSON.stringify(mc.author)} ${JSON.stringify(mc.content)}`,
            );
            if (path === paths[0]) seen.set(n.id, (seen.get(n.id) ?? 0) + 1);
          } else {
            this.check(
              n.author === null && n.body === null && n.removed && !n.text.includes(textOf(renderCommentHtml(mc.content))),
              () =>
                `${where}: placeholder ${n.id} (${mc.status}) shows author ${JSON.stringify(n.author)}, text ${JSON.stringify(n.body)}, removed notice ${n.removed}`,
            );
          }
        }
        const leaked = hidden.filter((t) => textOf(html).includes(t));
        this.check(leaked.length === 0, () => `${where}: shows the text of comments readers may not see: ${JSON.stringify(leaked)}`);
      }
    }
    const missing = visible.filter((c) => seen.get(c.id) !== 1).map((c) => `${c.id} (${seen.get(c.id) ?? 0} times)`);
    this.check(missing.length === 0, () => `pages of ${slug}: visible comments not shown exactly once: ${missing.join(", ")}`);
    const beyond = await this.fetch(`/posts/${slug}/?page=${expected.pageCount + 1}`);
    await beyond.body?.cancel();
    this.check(beyond.status === 404, () => `page ${expected.pageCount + 1} of ${slug} (model: ${expected.pageCount} page(s)): ${beyond.status}, not 404`);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading a page

interface ShownNode {
  id: number;
  cls: string;
  number: string;
  parent: number | null;
  href: string;
  label: string;
  author: string | null;
  body: string | null;
  removed: boolean;
  text: string;
}

type Node5 = { nodeName: string; tagName?: string; attrs?: { name: string; value: string }[]; childNodes?: Node5[]; value?: string; content?: Node5 };

const attr = (n: Node5, name: string) => n.attrs?.find((a) => a.name === name)?.value ?? null;
const hasClass = (n: Node5, cls: string) => (attr(n, "class") ?? "").split(/\s+/).includes(cls);

function rawText(n: Node5): string {
  if (n.nodeName === "#text") return n.value ?? "";
  if (n.nodeName === "br") return "\n";
  return (n.childNodes ?? []).map(rawText).join("");
}

/** Text as a reader reads it: whitespace collapsed. */
export function textOf(html: string): string {
  return normalize(rawText(parse(`<!doctype html><body>${html}`) as unknown as Node5));
}

const normalize = (s: string) => s.replace(/\s+/g, " ").trim();

function readPage(html: string): ShownNode[] {
  const out: ShownNode[] = [];
  const find = (n: Node5): Node5 | null => {
    if (n.tagName === "section" && attr(n, "id") === "comments") return n;
    for (const c of n.childNodes ?? []) {
      const hit = find(c);
      if (hit) return hit;
    }
    return null;
  };
  const section = find(parse(html) as unknown as Node5);
  if (!section) return out;
  // The parts of a comment's own subtree, replies (nested <li>) left out.
  const own = (n: Node5, visit: (e: Node5) => void) => {
    for (const c of n.childNodes ?? []) {
      if (c.tagName === "li" && /^comment-\d+$/.test(attr(c, "id") ?? "")) continue;
      visit(c);
      own(c, visit);
    }
  };
  const walk = (n: Node5, parent: number | null) => {
    for (const c of n.childNodes ?? []) {
      const id = c.tagName === "li" ? /^comment-(\d+)$/.exec(attr(c, "id") ?? "") : null;
      if (!id) {
        walk(c, parent);
        continue;
      }
      const node: ShownNode = {
        id: Number(id[1]),
        cls: attr(c, "class") ?? "",
        number: "",
        parent,
        href: "",
        label: "",
        author: null,
        body: null,
        removed: false,
        text: "",
      };
      const texts: string[] = [];
      own(c, (e) => {
        if (e.nodeName === "#text") texts.push(e.value ?? "");
        if (e.tagName === "a" && hasClass(e, "comment-number") && !node.href) {
          node.number = normalize(rawText(e));
          node.href = attr(e, "href") ?? "";
          node.label = attr(e, "aria-label") ?? "";
        }
        if (hasClass(e, "comment-author")) node.author = normalize(rawText(e));
        if (hasClass(e, "comment-body")) node.body = normalize(rawText(e));
        if (e.tagName === "p" && hasClass(e, "comment-removed")) node.removed = true;
      });
      node.text = normalize(texts.join(" "));
      out.push(node);
      walk(c, node.id);
    }
  };
  walk(section, null);
  return out;
}

function sortNodes(nodes: Pick<PageNode, "id" | "cls" | "number" | "parent">[]) {
  return [...nodes].sort((a, b) => a.id - b.id).map((n) => [n.id, n.cls, n.number, n.parent]);
}

function fmtNodes(nodes: Pick<PageNode, "id" | "cls" | "number" | "parent">[]): string {
  return (
    [...nodes]
      .sort((a, b) => a.id - b.id)
      .map((n) => `${n.number}=${n.id}${n.cls === "comment" ? "" : `[${n.cls.replace("comment ", "")}]`}${n.parent ? `<${n.parent}` : ""}`)
      .join(" ") || "(none)"
  );
}

// ---------------------------------------------------------------------------------------------

/** Runs a scenario from a clean slate and checks every view; throws a ModelFailure with the trace. */
export async function runScenario(scenario: Scenario, skip: Set<string> = skipList()): Promise<Runner> {
  const runner = new Runner(scenario, skip);
  await runner.reset();
  for (const [i, op] of scenario.ops.entries()) {
    await runner.execute(op, i);
    await runner.checkStep();
  }
  await runner.checkAll();
  return runner;
}
