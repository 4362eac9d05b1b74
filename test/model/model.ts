// The plain model of what readers and the moderator should see: comments with their state, and
// the views computed from it (counts, the JSON list, the feed, the pages of threads). No I/O here.

export type Status = "approved" | "pending" | "spam" | "deleted" | "purged";
export const MODERATION_STATES = ["pending", "approved", "spam", "deleted"] as const;
export type Action = "approve" | "pending" | "spam" | "delete" | "purge";
export const ACTION_STATUS: Record<Action, Status> = { approve: "approved", pending: "pending", spam: "spam", delete: "deleted", purge: "purged" };

export interface MComment {
  /** Its place in the run's creation order (what operations refer to). */
  ref: number;
  id: number;
  slug: string;
  parentId: number | null;
  depth: number;
  author: string;
  content: string;
  status: Status;
  /** The edit token from the creation answer (null for an imported comment). */
  token: string | null;
  imported: boolean;
}

/** The comments of a post reader-visible in the model's terms, and everything derived from them. */
export class Model {
  readonly comments: MComment[] = [];
  readonly byId = new Map<number, MComment>();
  readonly closed = new Set<string>();

  add(c: MComment): void {
    this.comments.push(c);
    this.byId.set(c.id, c);
  }

  /** The visible comments of a post (V), by ascending id. */
  visible(slug: string): MComment[] {
    return this.comments.filter((c) => c.slug === slug && c.status === "approved").sort((a, b) => a.id - b.id);
  }

  /** An approved or pending comment with the same author and text on the post (other than `except`). */
  twinOf(slug: string, author: string, content: string, except?: number): MComment | undefined {
    return this.comments.find(
      (c) => c.id !== except && c.slug === slug && c.author === author && c.content === content && (c.status === "approved" || c.status === "pending"),
    );
  }

  /** Would these comments, moved to these states, leave two counting twins on a post? */
  duplicateAfter(changes: Map<number, Status>): boolean {
    const seen = new Set<string>();
    for (const c of this.comments) {
      const status = changes.get(c.id) ?? c.status;
      if (status !== "approved" && status !== "pending") continue;
      const key = JSON.stringify([c.slug, c.author, c.content]);
      if (seen.has(key)) return true;
      seen.add(key);
    }
    return false;
  }

  threadOf(c: MComment): number {
    let node = c;
    while (node.parentId !== null) node = this.byId.get(node.parentId)!;
    return node.id;
  }

  /** Where a reply to `parent` goes: the parent, or its ancestor at depth maxDepth - 1 when too deep. */
  placeReply(parent: MComment, maxDepth: number): MComment {
    let p = parent;
    while (p.depth >= maxDepth && p.parentId !== null) p = this.byId.get(p.parentId)!;
    return p;
  }

  adminCounts(): Record<(typeof MODERATION_STATES)[number], number> {
    const out = { pending: 0, approved: 0, spam: 0, deleted: 0 };
    for (const c of this.comments) if (c.status !== "purged") out[c.status]++;
    return out;
  }

  /** The pages of threads of a post, as readers without cookies see them. */
  pages(slug: string, perPage: number): PageModel {
    const visible = this.visible(slug);
    const threads = [...new Set(visible.map((c) => this.threadOf(c)))].sort((a, b) => a - b);
    const pageCount = Math.max(1, Math.ceil(threads.length / perPage));
    const pages: PageNode[][] = [];
    for (let p = 1; p <= pageCount; p++) {
      const mine = new Set(threads.slice((p - 1) * perPage, p * perPage));
      const shown = new Map<number, MComment>();
      for (const c of visible) {
        if (!mine.has(this.threadOf(c))) continue;
        for (let n: MComment | undefined = c; n && !shown.has(n.id); n = n.parentId === null ? undefined : this.byId.get(n.parentId)) shown.set(n.id, n);
      }
      const children = new Map<number | null, MComment[]>();
      for (const c of shown.values()) {
        const list = children.get(c.parentId) ?? [];
        list.push(c);
        children.set(c.parentId, list);
      }
      const nodes: PageNode[] = [];
      const walk = (parent: number | null, prefix: string | null) => {
        const list = (children.get(parent) ?? []).sort((a, b) => a.id - b.id);
        list.forEach((c, i) => {
          const number = prefix === null ? String((p - 1) * perPage + i + 1) : `${prefix}.${i + 1}`;
          nodes.push({ id: c.id, cls: c.status === "approved" ? "comment" : "comment comment--removed", number, parent });
          walk(c.id, number);
        });
      };
      walk(null, null);
      pages.push(nodes);
    }
    return { pageCount, pages };
  }
}

export interface PageNode {
  id: number;
  cls: string;
  number: string;
  /** The id of the node it is nested in (null at the top level). */
  parent: number | null;
}

export interface PageModel {
  pageCount: number;
  pages: PageNode[][];
}
