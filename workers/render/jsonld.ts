// Structured data for search engines: a post (or a page that takes comments) as schema.org JSON-LD,
// with the approved comments shown on that page of it, and its breadcrumb. The one renderer: the
// build writes it into the built page's comments section, the edge writes it again there with the
// comments it fills in, so the JSON-LD always says what the page shows.
import { decodeHTML } from "entities";
import type { BlogPosting, BreadcrumbList, Comment, Graph, IdReference, Person, WebPage } from "schema-dts";
import { shownParent, type ThreadComment } from "./comments.ts";
import type { PostRecord } from "../store/posts.ts";

export interface JsonLdSite {
  url: string;
  title: string;
}

/** What the structured data says of a post: its KV record's fields (the build's post has them too). */
export type JsonLdPost = Pick<PostRecord, "title" | "date" | "updated" | "author" | "lang" | "tags" | "summary" | "url">;

export interface JsonLdInput {
  site: JsonLdSite;
  post: JsonLdPost;
  /** The comments as the page shows them (only the approved ones are told). */
  comments: readonly ThreadComment[];
  /** Approved comments on the post, all pages together (the count the page shows). */
  total: number;
  /** The page of comments (its address is where the comments' anchors are). */
  page: number;
}

/** Plain text from a comment's HTML (billet's own safe subset): blocks become lines, entities characters. */
export function htmlToText(html: string): string {
  return decodeHTML(
    html
      .replace(/<br\s*\/?>\n?/gi, "\n")
      .replace(/<\/(p|li|blockquote|pre|h[1-6])>/gi, "\n")
      .replace(/<[^>]*>/g, ""),
  )
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The post's address, and that of one of its pages of comments. */
function addresses(input: JsonLdInput): { post: string; page: string } {
  const post = new URL(input.post.url, input.site.url).toString();
  return { post, page: input.page > 1 ? `${post}?page=${input.page}` : post };
}

/** The blog's author, one node: the posting's author, and the author of the comments with the badge. */
const authorId = (site: JsonLdSite) => `${new URL("/", site.url).toString()}#author`;

/**
 * A comment as told on the page; `parent` is the one it hangs under there (told itself, or an empty
 * place). Its author's `image` is the face the page shows; the author's own comments name the
 * posting's author by its `@id`.
 */
function commentNode(c: ThreadComment, site: JsonLdSite, anchor: (id: number) => string, parent: { id: number; told: boolean } | null): Comment {
  const author: Person = {
    "@type": "Person",
    ...(c.byAuthor ? { "@id": authorId(site) } : {}),
    name: c.authorName,
    ...(c.authorUrl ? { url: c.authorUrl } : {}),
    ...(c.avatar ? { image: new URL(c.avatar, site.url).toString() } : {}),
  };
  const comment: Comment = {
    "@type": "Comment",
    "@id": anchor(c.id),
    url: anchor(c.id),
    author,
    dateCreated: new Date(c.createdAt).toISOString(),
    ...(c.editedAt ? { dateModified: new Date(c.editedAt).toISOString() } : {}),
    text: htmlToText(c.html),
  };
  // An empty place (a removed comment) has its anchor on the page but no author or text to tell.
  if (parent)
    comment.parentItem = parent.told
      ? ({ "@id": anchor(parent.id) } satisfies IdReference)
      : { "@type": "Comment", "@id": anchor(parent.id), url: anchor(parent.id) };
  return comment;
}

/** The parts of one page's graph: the posting without its comments, the comments told, the breadcrumb. */
function graphParts(input: JsonLdInput) {
  const { post, page } = addresses(input);
  const home = new URL("/", input.site.url).toString();
  const ids = new Set(input.comments.map((c) => c.id));
  const approved = new Set(input.comments.flatMap((c) => (c.status === "approved" ? [c.id] : [])));
  const told = input.comments.flatMap((c) => {
    if (c.status !== "approved") return [];
    const parent = shownParent(c, ids);
    return [{ comment: c, parent: parent === null ? null : { id: parent, told: approved.has(parent) } }];
  });
  const fields = {
    "@id": `${post}#post`,
    url: post,
    mainEntityOfPage: post,
    headline: input.post.title,
    name: input.post.title,
    description: input.post.summary,
    inLanguage: input.post.lang,
    datePublished: input.post.date,
    dateModified: input.post.updated ?? input.post.date,
    author: { "@type": "Person", "@id": authorId(input.site), name: input.post.author } satisfies Person,
    ...(input.post.tags.length ? { keywords: input.post.tags.join(", ") } : {}),
    isPartOf: { "@type": "Blog", "@id": `${home}#blog`, name: input.site.title, url: home },
    commentCount: input.total,
  } as const;
  const posting: BlogPosting | WebPage = input.post.url.startsWith("/posts/") ? { "@type": "BlogPosting", ...fields } : { "@type": "WebPage", ...fields };
  const breadcrumb: BreadcrumbList = {
    "@type": "BreadcrumbList",
    itemListElement: [
      { "@type": "ListItem", position: 1, name: input.site.title, item: home },
      { "@type": "ListItem", position: 2, name: input.post.title, item: post },
    ],
  };
  return { page, posting, told, breadcrumb, anchor: (id: number) => `${page}#comment-${id}` };
}

/** The graph for one page of a post: the posting with its comments (the last of its fields), and the breadcrumb to it. */
export function postGraph(input: JsonLdInput): Graph {
  const { posting, told, breadcrumb, anchor } = graphParts(input);
  const comments = told.map((t) => commentNode(t.comment, input.site, anchor, t.parent));
  return { "@context": "https://schema.org", "@graph": [comments.length ? { ...posting, comment: comments } : posting, breadcrumb] };
}

// Inside <script>, only "</script" or "<!--" could end it: every "<" is written as an escape (as
// are ">" and "&", and the two line separators older parsers took for line ends). JSON reads them back.
function inert(json: string): string {
  if (!/[<>&\u2028\u2029]/.test(json)) return json;
  return json.replaceAll("<", "\\u003c").replaceAll(">", "\\u003e").replaceAll("&", "\\u0026").replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029");
}

/** A JSON-LD script element holding `data`, inert whatever text it carries. */
export function jsonLdScript(data: unknown): string {
  return `<script type="application/ld+json">${inert(JSON.stringify(data))}</script>`;
}

// Each comment as written into a page's JSON-LD, kept by this isolate: the page rendered again after
// a change tells mostly the same comments, and a comment's text and dates cost the most to write.
// Kept by page, comment and parent, with everything it was written from, compared on reuse.
const written = new Map<string, { from: ThreadComment; json: string }>();
const WRITTEN_MAX = 2_000;

const same = (a: ThreadComment, b: ThreadComment) =>
  a.html === b.html &&
  a.createdAt === b.createdAt &&
  a.editedAt === b.editedAt &&
  a.authorName === b.authorName &&
  a.authorUrl === b.authorUrl &&
  a.avatar === b.avatar &&
  a.byAuthor === b.byAuthor;

/**
 * The script element for one page of a post: the same JSON as jsonLdScript(postGraph(input)),
 * written from each comment's kept part.
 */
export function postJsonLd(input: JsonLdInput): string {
  const { page, posting, told, breadcrumb, anchor } = graphParts(input);
  const comments = told.map(({ comment: c, parent }) => {
    const key = `${page}|${c.id}|${parent ? `${parent.id}${parent.told ? "" : "-"}` : ""}`;
    const kept = written.get(key);
    if (kept && same(kept.from, c)) return kept.json;
    const json = inert(JSON.stringify(commentNode(c, input.site, anchor, parent)));
    if (written.size >= WRITTEN_MAX) written.clear();
    written.set(key, { from: c, json });
    return json;
  });
  const head = inert(JSON.stringify(posting));
  const withComments = comments.length ? `${head.slice(0, -1)},"comment":[${comments.join(",")}]}` : head;
  return `<script type="application/ld+json">{"@context":"https://schema.org","@graph":[${withComments},${inert(JSON.stringify(breadcrumb))}]}</script>`;
}
