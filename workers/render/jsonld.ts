// Structured data for search engines: a post (or a page that takes comments) as schema.org JSON-LD,
// with the approved comments shown on that page of it, and its breadcrumb. The one renderer: the
// build writes it into the built page's comments section, the edge writes it again there with the
// comments it fills in, so the JSON-LD always says what the page shows.
import { decodeHTML } from "entities";
import type { BlogPosting, BreadcrumbList, Comment, Graph, IdReference, Person, WebPage } from "schema-dts";
import { shownParent, type ThreadComment } from "./comments.ts";

export interface JsonLdSite {
  url: string;
  title: string;
}

/** What the structured data says of a post: its KV record's fields (the build's post has them too). */
export interface JsonLdPost {
  title: string;
  date: string;
  updated?: string;
  author: string;
  lang: string;
  tags: string[];
  summary: string;
  /** Its address on the site (`/posts/<slug>/`, or `/<slug>/` for a page). */
  url: string;
}

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

/** The graph for one page of a post: the posting with its comments, and the breadcrumb to it. */
export function postGraph(input: JsonLdInput): Graph {
  const { post, page } = addresses(input);
  const home = new URL("/", input.site.url).toString();
  const anchor = (id: number) => `${page}#comment-${id}`;
  const ids = new Set(input.comments.map((c) => c.id));
  const approved = new Set(input.comments.flatMap((c) => (c.status === "approved" ? [c.id] : [])));
  const comments: Comment[] = [];
  for (const c of input.comments) {
    if (c.status !== "approved") continue;
    const author: Person = c.authorUrl ? { "@type": "Person", name: c.authorName, url: c.authorUrl } : { "@type": "Person", name: c.authorName };
    const comment: Comment = {
      "@type": "Comment",
      "@id": anchor(c.id),
      url: anchor(c.id),
      author,
      dateCreated: new Date(c.createdAt).toISOString(),
      ...(c.editedAt ? { dateModified: new Date(c.editedAt).toISOString() } : {}),
      text: htmlToText(c.html),
    };
    // The comment it hangs under on the page: a comment told here, or an empty place (removed),
    // which has its anchor on the page but no author or text to tell.
    const parent = shownParent(c, ids);
    if (parent !== null)
      comment.parentItem = approved.has(parent)
        ? ({ "@id": anchor(parent) } satisfies IdReference)
        : { "@type": "Comment", "@id": anchor(parent), url: anchor(parent) };
    comments.push(comment);
  }
  const isPost = input.post.url.startsWith("/posts/");
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
    author: { "@type": "Person", name: input.post.author } satisfies Person,
    ...(input.post.tags.length ? { keywords: input.post.tags.join(", ") } : {}),
    isPartOf: { "@type": "Blog", "@id": `${home}#blog`, name: input.site.title, url: home },
    commentCount: input.total,
    ...(comments.length ? { comment: comments } : {}),
  } as const;
  const posting: BlogPosting | WebPage = isPost ? { "@type": "BlogPosting", ...fields } : { "@type": "WebPage", ...fields };
  const breadcrumb: BreadcrumbList = {
    "@type": "BreadcrumbList",
    itemListElement: [
      { "@type": "ListItem", position: 1, name: input.site.title, item: home },
      { "@type": "ListItem", position: 2, name: input.post.title, item: post },
    ],
  };
  return { "@context": "https://schema.org", "@graph": [posting, breadcrumb] };
}

// Inside <script>, only "</script" or "<!--" could end it: every "<" is written as an escape (as
// are ">" and "&", and the two line separators older parsers took for line ends). JSON reads them back.
const UNSAFE: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" };

/** A JSON-LD script element holding `data`, inert whatever text it carries. */
export function jsonLdScript(data: unknown): string {
  return `<script type="application/ld+json">${JSON.stringify(data).replace(/[<>&\u2028\u2029]/g, (c) => UNSAFE[c])}</script>`;
}

/** The script element for one page of a post (see postGraph). */
export function postJsonLd(input: JsonLdInput): string {
  return jsonLdScript(postGraph(input));
}
