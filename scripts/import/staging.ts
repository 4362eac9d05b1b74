// Where a large export waits between reading and writing: a SQLite file (node:sqlite) holding
// what the readers found, so memory holds one post's thread at a time however big the export.
import { rmSync } from "node:fs";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Problem } from "./problems.ts";
import type { ImportSink, SourceComment, SourceSite, SourceThread, WpAttachment, WpItem } from "./formats.ts";

export type ThreadMeta = Omit<SourceThread, "comments"> & { handle: number; count: number; first?: number };

export class StagingSink implements ImportSink {
  readonly db: DatabaseSync;
  readonly path: string;
  readonly ignoredCounts: Record<string, number> = {};
  readonly keptCounts: Record<string, number> = {};
  readonly warnings: string[] = [];
  readonly problems: Problem[] = [];
  readonly siteInfo: SourceSite = {};
  /** Thread metadata stays in memory (a few hundred bytes a thread); comments go to the file. */
  readonly threads: ThreadMeta[] = [];
  items = 0;
  comments = 0;
  private readonly insertComment: StatementSync;
  private readonly insertItem: StatementSync;
  private readonly insertAttachment: StatementSync;
  private pending = 0;

  constructor(path: string) {
    rmSync(path, { force: true });
    this.path = path;
    this.db = new DatabaseSync(path);
    this.db.exec(`PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
      CREATE TABLE comments (seq INTEGER PRIMARY KEY, thread INTEGER NOT NULL, json TEXT NOT NULL);
      CREATE TABLE items (seq INTEGER PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE attachments (wp_id TEXT PRIMARY KEY, json TEXT NOT NULL);
      BEGIN;`);
    this.insertComment = this.db.prepare("INSERT INTO comments (thread, json) VALUES (?, ?)");
    this.insertItem = this.db.prepare("INSERT INTO items (json) VALUES (?)");
    this.insertAttachment = this.db.prepare("INSERT OR REPLACE INTO attachments (wp_id, json) VALUES (?, ?)");
  }

  private wrote(): void {
    if (++this.pending >= 5000) {
      this.db.exec("COMMIT; BEGIN;");
      this.pending = 0;
    }
  }

  site(info: SourceSite): void {
    for (const [k, v] of Object.entries(info)) if (v) (this.siteInfo as Record<string, unknown>)[k] = v;
  }
  thread(t: Omit<SourceThread, "comments">): number {
    // A copy: strings cut from the parser's input would keep whole chunks of the file alive.
    this.threads.push({ ...(JSON.parse(JSON.stringify(t)) as Omit<SourceThread, "comments">), handle: this.threads.length, count: 0 });
    return this.threads.length - 1;
  }
  comment(thread: number, c: SourceComment): void {
    const t = this.threads[thread];
    t.count++;
    // The earliest comment: the date of a post --create-posts makes for a thread that has none.
    if (c.createdAt > 0 && (t.first === undefined || c.createdAt < t.first)) t.first = c.createdAt;
    this.comments++;
    this.insertComment.run(thread, JSON.stringify(c));
    this.wrote();
  }
  item(item: WpItem): void {
    this.items++;
    this.insertItem.run(JSON.stringify(item));
    this.wrote();
  }
  attachment(a: WpAttachment): void {
    if (a.wpId) this.insertAttachment.run(a.wpId, JSON.stringify(a));
    this.wrote();
  }
  ignored(what: string, n = 1): void {
    this.ignoredCounts[what] = (this.ignoredCounts[what] ?? 0) + n;
  }
  kept(what: string): void {
    this.keptCounts[what] = (this.keptCounts[what] ?? 0) + 1;
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
  problem(p: Problem): void {
    this.problems.push(p);
  }

  /** Reading starts: everything written is committed, and the comments indexed by thread. */
  finish(): void {
    this.db.exec("COMMIT; CREATE INDEX comments_thread ON comments (thread, seq);");
  }

  *allItems(): Generator<WpItem> {
    for (const row of this.db.prepare("SELECT json FROM items ORDER BY seq").iterate() as Iterable<{ json: string }>) yield JSON.parse(row.json);
  }

  attachments(): Map<string, WpAttachment> {
    const out = new Map<string, WpAttachment>();
    for (const row of this.db.prepare("SELECT json FROM attachments").iterate() as Iterable<{ json: string }>) {
      const a = JSON.parse(row.json) as WpAttachment;
      out.set(a.wpId, a);
    }
    return out;
  }

  /** The comments of some threads, in file order. */
  commentsOf(handles: number[]): SourceComment[] {
    const out: SourceComment[] = [];
    const stmt = this.db.prepare("SELECT json FROM comments WHERE thread = ? ORDER BY seq");
    for (const h of handles) for (const row of stmt.iterate(h) as Iterable<{ json: string }>) out.push(JSON.parse(row.json));
    return out;
  }

  close(): void {
    try {
      this.db.close();
    } catch {
      // already closed
    }
    rmSync(this.path, { force: true });
  }
}
