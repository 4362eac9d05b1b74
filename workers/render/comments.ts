// The comments section of a post page: the numbered thread, the pages of threads and the form.
// The one renderer for it: the build uses it for the static page, the edge to fill in live comments.
import { escapeHtml, formatDateTime } from "./html.ts";
import { ownPageStringsFor, stringsFor, type Strings } from "./strings.ts";
import { DEFAULT_SORT, type PageThread, type Sort, SORTS } from "../db/order.ts";

export interface ThreadComment {
  id: number;
  parentId: number | null;
  /** The thread's top-level comment, when known (its own id at the top level). */
  threadId?: number;
  authorName: string;
  authorUrl: string | null;
  html: string;
  createdAt: number;
  editedAt: number | null;
  /** `removed`: an empty place above replies that are shown (held, spam, deleted or purged). */
  status: "approved" | "pending" | "removed";
  /** The commenter's face (render/faces.ts), when the renderer knows it (the edge does; the build has no secret). */
  avatar?: string | null;
  /** Written by the blog's author through a signed-in path: the "Auteur" badge. */
  byAuthor?: boolean;
  /** Readers who marked it useful, as of the page's version. */
  reactions?: number;
  /** The reader's own comment they may still change (a page for them alone): the minutes left. */
  editMinutesLeft?: number;
}

export interface FormState {
  values?: Partial<Record<"author_name" | "author_email" | "author_url" | "content" | "notify_replies", string>>;
  errors?: Record<string, string>;
  message?: string;
  replyTo?: number;
}

export interface SectionInput {
  slug: string;
  lang: string;
  timeZone: string;
  open: boolean;
  comments: ThreadComment[];
  /** Approved comments on the post, all pages together. */
  total: number;
  /** The number shown on the first thread of this page (threads before it count). */
  firstNumber: number;
  page: number;
  pageCount: number;
  form?: FormState;
  /** Cloudflare Turnstile's site key, when the anti-spam challenge is on. */
  turnstileSiteKey?: string;
  /** Whether readers can ask to be told of replies by email (email is configured). */
  notifyReplies?: boolean;
  /** The page's threads in the order shown (pinned first), with their numbers; without it, in order of id from firstNumber. */
  threads?: PageThread[];
  /** The order the page shows (its links say which, and keep it across pages). */
  sort?: Sort;
  /** Whether readers can mark comments useful (REACTIONS). */
  reactions?: boolean;
  /**
   * A thread of another site's page (routes/threads.ts): the page its reply and paging links go to
   * (billet's page of the thread), where the form posts, and the form's hidden fields naming it.
   */
  thread?: { page: string; action: string; fields: Record<string, string> };
}

/** The page the section's links go to: the post's own, or billet's page of another site's thread. */
const pageOf = (input: SectionInput): string => input.thread?.page ?? `/posts/${input.slug}/`;

export const SECTION_ID = "comments";

/**
 * Replies are indented up to this depth (billet.css stops there, so a deep thread stays readable
 * on a phone); a deeper reply says which comment it answers instead.
 */
export const INDENT_DEPTH = 3;

/** The inner HTML of `<section id="comments">`. */
export function renderCommentsSection(input: SectionInput): string {
  const s = stringsFor(input.lang);
  const children = childrenOf(input.comments);
  if (input.threads) inThreadOrder(children, input.threads);
  const numbers = numberThreads(children, input.firstNumber, input.threads);
  const byId = new Map(input.comments.map((c) => [c.id, c]));
  const renderList = (parent: number | null, cls: string, depth: number): string => {
    const list = children.get(parent);
    if (!list?.length) return "";
    const answers = depth > INDENT_DEPTH && parent !== null ? inReplyTo(byId.get(parent)!, numbers.get(parent) ?? "", s) : "";
    return `<ol class="${cls}">${list.map((c) => renderComment(c, numbers.get(c.id) ?? "", input, s, renderList(c.id, "comment-replies", depth + 1), answers)).join("")}</ol>`;
  };
  const list = renderList(null, "comment-list", 0);
  const replyTo = input.form?.replyTo;
  const replyComment = replyTo !== undefined ? input.comments.find((c) => c.id === replyTo && c.status === "approved") : undefined;

  return [
    `<h2 id="comments-title">${escapeHtml(s.commentsTitle)} <span class="comment-count" data-count="${input.total}">(${input.total})</span></h2>`,
    renderSortLinks(input, s),
    // A closed post with no comments says only that comments are closed.
    list || (input.open ? `<p class="no-comments">${escapeHtml(s.noComments)}</p>` : ""),
    renderPages(input, s),
    input.open ? renderForm(input, s, replyComment, numbers.get(replyTo ?? -1)) : `<p class="comments-closed">${escapeHtml(s.closed)}</p>`,
  ].join("\n");
}

/**
 * The tree: each comment under its parent, in order of id. A comment whose parent is not there
 * at all (gone before empty places were kept) hangs under its thread's first comment, or stands
 * at the top level.
 */
function childrenOf(comments: ThreadComment[]): Map<number | null, ThreadComment[]> {
  const ids = new Set(comments.map((c) => c.id));
  const children = new Map<number | null, ThreadComment[]>();
  for (const c of [...comments].sort((a, b) => a.id - b.id)) {
    const key = shownParent(c, ids);
    const list = children.get(key) ?? [];
    list.push(c);
    children.set(key, list);
  }
  return children;
}

/** The comment `c` hangs under on the page, among the shown `ids` (null: the top level). */
export function shownParent(c: ThreadComment, ids: ReadonlySet<number>): number | null {
  if (c.parentId === null) return null;
  if (ids.has(c.parentId)) return c.parentId;
  return c.threadId !== undefined && c.threadId !== c.id && ids.has(c.threadId) ? c.threadId : null;
}

/** The top level in the order of `threads` (a comment hung there out of its thread goes with its thread). */
function inThreadOrder(children: Map<number | null, ThreadComment[]>, threads: PageThread[]): void {
  const place = new Map(threads.map((t, i) => [t.id, i]));
  const rank = (c: ThreadComment) => place.get(c.threadId ?? c.id) ?? threads.length;
  children.get(null)?.sort((a, b) => rank(a) - rank(b) || a.id - b.id);
}

/**
 * Threads are numbered 1, 2, 3… in order as the seed numbers them (with `threads`, their own
 * numbers, whatever the order shown); replies 2.1, 2.1.1…
 */
function numberThreads(children: Map<number | null, ThreadComment[]>, firstNumber: number, threads?: PageThread[]): Map<number, string> {
  const numbers = new Map<number, string>();
  const own = new Map(threads?.map((t) => [t.id, t.number]));
  const walk = (parent: number | null, prefix: string, start: number) => {
    (children.get(parent) ?? []).forEach((c, i) => {
      const number = `${prefix}${(parent === null && own.get(c.threadId ?? c.id)) || start + i}`;
      numbers.set(c.id, number);
      walk(c.id, `${number}.`, 1);
    });
  };
  walk(null, "", firstNumber);
  return numbers;
}

/** "en réponse à X (2.1.1.1)", a link to the comment answered, above a reply no longer indented. */
function inReplyTo(parent: ThreadComment, number: string, s: Strings): string {
  const name = parent.status === "removed" ? "" : parent.authorName;
  return `<p class="comment-in-reply-to"><a href="#comment-${parent.id}">${escapeHtml(s.inReplyTo(name, number))}</a></p>`;
}

function renderComment(c: ThreadComment, number: string, input: SectionInput, s: Strings, replies: string, answers = ""): string {
  const permalink = `<a class="comment-number" href="#comment-${c.id}" aria-label="${escapeHtml(s.permalink(number))}">${escapeHtml(number)}</a>`;
  if (c.status === "removed") {
    return (
      `<li id="comment-${c.id}" class="comment comment--removed" data-id="${c.id}" tabindex="-1"><article aria-label="${escapeHtml(s.removed)}">` +
      `<header class="comment-meta">${permalink}</header>${answers}<p class="comment-removed">${escapeHtml(s.removed)}</p></article>${replies}</li>`
    );
  }
  const name = escapeHtml(c.authorName);
  const author = c.authorUrl
    ? `<a class="comment-author" href="${escapeHtml(c.authorUrl)}" rel="nofollow ugc noopener">${name}</a>`
    : `<span class="comment-author">${name}</span>`;
  const when = formatDateTime(c.createdAt, input.lang, input.timeZone);
  const face = faceAndBadge(c, s);
  const edited = c.editedAt ? ` <span class="comment-edited">(${escapeHtml(s.edited)})</span>` : "";
  const pending = c.status === "pending" ? `<p class="comment-pending" role="status">${escapeHtml(s.pending)}</p>` : "";
  const reply =
    input.open && c.status === "approved"
      ? `<a class="comment-reply" href="${escapeHtml(pageOf(input))}?reply_to=${c.id}#respond" data-reply-to="${c.id}" data-reply-name="${name}" data-reply-number="${escapeHtml(number)}">${escapeHtml(s.reply)}</a>`
      : "";
  // Without JavaScript, a link to the comment's own page; the widget turns it into buttons.
  const edit = c.editMinutesLeft
    ? `<a class="comment-edit" href="/comments/${c.id}/edit">${escapeHtml(ownPageStringsFor(input.lang).link(c.editMinutesLeft))}</a>`
    : "";
  const pinned = c.parentId === null && input.threads?.some((t) => t.id === c.id && t.pinned);
  const cls = `${c.status === "pending" ? "comment comment--pending" : "comment"}${c.byAuthor ? " comment--by-author" : ""}${pinned ? " comment--pinned" : ""}`;
  const pin = pinned ? ` <strong class="comment-pinned">${escapeHtml(s.order.pinned)}</strong>` : "";
  const useful = input.reactions && c.status === "approved" ? usefulButton(c, input, s) : "";
  const footer = [reply, edit].filter(Boolean).join(" ") + useful;
  return (
    `<li id="comment-${c.id}" class="${cls}" data-id="${c.id}" tabindex="-1"><article aria-labelledby="comment-${c.id}-by">` +
    `<header class="comment-meta">${permalink} ${face.img}` +
    `<span id="comment-${c.id}-by">${author}${face.badge}</span> <time datetime="${new Date(c.createdAt).toISOString()}">${escapeHtml(when)}</time>${edited}${pin}</header>` +
    `${answers}${pending}<div class="comment-body">${c.html}</div>${footer ? `<footer>${footer}</footer>` : ""}</article>${replies}</li>`
  );
}

/** The commenter's face (decorative: the name is beside it) and the author's badge, read with the name. */
function faceAndBadge(c: ThreadComment, s: Strings): { img: string; badge: string } {
  const img = c.avatar ? `<img class="comment-avatar" src="${escapeHtml(c.avatar)}" alt="" width="40" height="40" loading="lazy" decoding="async">` : "";
  const badge = c.byAuthor ? ` <span class="comment-badge">${escapeHtml(s.authorBadge)}</span>` : "";
  return { img, badge };
}

/**
 * "Useful": a small form, so that it works without JavaScript (POST, then back to the comment); the
 * widget sends it itself and keeps the count up to date. The count is the page's, as of its version.
 */
function usefulButton(c: ThreadComment, input: SectionInput, s: Strings): string {
  const n = c.reactions ?? 0;
  return (
    `<form class="comment-useful" method="post" action="/api/comments/${c.id}/reaction">` +
    `<input type="hidden" name="sort" value="${input.sort ?? DEFAULT_SORT}">` +
    // The page too, so that the answer comes back to the comment where it is shown.
    (input.page > 1 ? `<input type="hidden" name="page" value="${input.page}">` : "") +
    `<button type="submit" aria-describedby="comment-${c.id}-useful">${escapeHtml(s.order.useful)} <span class="useful-count" data-count="${n}" aria-hidden="true">${n}</span></button>` +
    `<span id="comment-${c.id}-useful" class="visually-hidden">${escapeHtml(s.order.usefulCount(n))}</span></form>`
  );
}

/** The address of a page of comments in an order (the default order is the plain address). */
function pageAddress(input: SectionInput, page: number, sort: Sort | undefined): string {
  const query = [page > 1 ? `page=${page}` : "", sort && sort !== DEFAULT_SORT ? `sort=${sort}` : ""].filter(Boolean).join("&");
  return `${pageOf(input)}${query ? `?${query}` : ""}`;
}

/** Plain links to each order (the first page of each), the current one marked. */
function renderSortLinks(input: SectionInput, s: Strings): string {
  if (input.sort === undefined || input.total < 2) return "";
  const links = SORTS.map((sort) => {
    const current = sort === input.sort ? ` aria-current="true"` : "";
    return `<li><a href="${escapeHtml(pageAddress(input, 1, sort))}#comments-title" data-sort="${sort}"${current}>${escapeHtml(s.order[sort])}</a></li>`;
  });
  return `<nav class="comment-sort" aria-label="${escapeHtml(s.order.label)}"><ul>${links.join("")}</ul></nav>`;
}

function renderPages(input: SectionInput, s: Strings): string {
  if (input.pageCount <= 1) return "";
  // Absolute: the same section is shown at /api/posts/<slug>/comments after a failed no-JS post.
  const link = (page: number, label: string, rel: string) =>
    `<a rel="${rel}" href="${escapeHtml(pageAddress(input, page, input.sort))}#comments-title">${escapeHtml(label)}</a>`;
  const prev = input.page > 1 ? link(input.page - 1, s.olderComments, "prev") : "";
  const next = input.page < input.pageCount ? link(input.page + 1, s.newerComments, "next") : "";
  return `<nav class="comment-pages" aria-label="${escapeHtml(s.commentsPages)}">${prev} <span>${input.page} / ${input.pageCount}</span> ${next}</nav>`;
}

function renderForm(input: SectionInput, s: Strings, replyComment: ThreadComment | undefined, replyNumber: string | undefined): string {
  const form = input.form ?? {};
  const values = form.values ?? {};
  const errors = form.errors ?? {};
  // Without JavaScript, the page that comes back after a refused post puts the reader on the first problem.
  const firstError = (["author_name", "author_email", "author_url", "content"] as const).find((name) => errors[name]);
  const field = (
    name: keyof NonNullable<FormState["values"]>,
    label: string,
    type: string,
    opts: { required?: boolean; hint?: string; autocomplete?: string; maxlength?: number },
  ) => {
    const id = `billet-${name}`;
    const error = errors[name];
    const described = [opts.hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
    const attrs = [
      `id="${id}"`,
      `name="${name}"`,
      opts.required ? "required" : "",
      opts.maxlength ? `maxlength="${opts.maxlength}"` : "",
      opts.autocomplete ? `autocomplete="${opts.autocomplete}"` : "",
      described ? `aria-describedby="${described}"` : "",
      error ? `aria-invalid="true"` : "",
      name === firstError ? "autofocus" : "",
    ]
      .filter(Boolean)
      .join(" ");
    const value = escapeHtml(values[name] ?? "");
    const control = type === "textarea" ? `<textarea ${attrs} rows="6">${value}</textarea>` : `<input type="${type}" ${attrs} value="${value}">`;
    const req = opts.required ? ` <span class="required">(${escapeHtml(s.required)})</span>` : "";
    return (
      `<p class="field field-${name}"><label for="${id}">${escapeHtml(label)}${req}</label>` +
      (opts.hint ? `<small id="${id}-hint">${escapeHtml(opts.hint)}</small>` : "") +
      control +
      `<strong class="field-error" id="${id}-error"${error ? "" : " hidden"}>${escapeHtml(error ? (s.fieldErrors[error] ?? error) : "")}</strong></p>`
    );
  };
  const replying = replyComment
    ? `<p class="replying-to">${escapeHtml(s.replyTo(replyComment.authorName, replyNumber ?? ""))} <a href="${escapeHtml(pageOf(input))}#respond" class="cancel-reply">${escapeHtml(s.cancelReply)}</a></p>`
    : `<p class="replying-to" hidden></p>`;
  const message = form.message ? `<p class="form-message" role="alert">${escapeHtml(form.message)}</p>` : `<p class="form-message" role="status" hidden></p>`;
  return (
    `<div id="respond"><h2 id="respond-title">${escapeHtml(s.leaveComment)}</h2>` +
    `<form class="comment-form" method="post" action="${escapeHtml(input.thread?.action ?? `/api/posts/${encodeURIComponent(input.slug)}/comments`)}" data-slug="${escapeHtml(input.slug)}" data-lang="${escapeHtml(input.lang)}" aria-labelledby="respond-title">` +
    message +
    Object.entries(input.thread?.fields ?? {})
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join("") +
    replying +
    `<input type="hidden" name="parent_id" value="${replyComment ? replyComment.id : ""}">` +
    field("author_name", s.name, "text", { required: true, autocomplete: "name", maxlength: 80 }) +
    field("author_email", s.email, "email", { hint: s.emailHint, autocomplete: "email", maxlength: 254 }) +
    field("author_url", s.website, "url", { hint: s.websiteHint, autocomplete: "url", maxlength: 300 }) +
    (input.notifyReplies
      ? `<p class="field field-notify"><input type="checkbox" id="billet-notify_replies" name="notify_replies" value="on"${form.values?.notify_replies ? " checked" : ""}> <label for="billet-notify_replies">${escapeHtml(s.notifyReplies)}</label></p>`
      : "") +
    field("content", s.comment, "textarea", { required: true, hint: s.commentHint }) +
    // Honeypot: hidden from people and screen readers, filled by naive bots.
    `<p class="hp" aria-hidden="true"><label for="billet-website">${escapeHtml(s.honeypot)}</label><input id="billet-website" name="website" type="text" tabindex="-1" autocomplete="off" value=""></p>` +
    (input.turnstileSiteKey
      ? `<div class="turnstile" data-sitekey="${escapeHtml(input.turnstileSiteKey)}"></div><noscript><p>${escapeHtml(s.turnstileNeedsJs)}</p></noscript>`
      : "") +
    `<p><button type="submit">${escapeHtml(s.submit)}</button></p>` +
    `</form></div>`
  );
}
