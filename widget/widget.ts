// billet's widget: enhances the server-rendered comment form and list. Without it the form still
// posts and the page still shows every comment; with it, posting stays on the page, errors show
// next to their fields, and the reader's draft survives any failure, even a reload.
import { stringsFor, type Strings } from "../workers/render/strings.ts";
import { messagesFor, type Messages } from "./messages.ts";
import { mineByCookie, type OwnHost, ownComments, preview } from "./own.ts";

type Name = "author_name" | "author_email" | "author_url" | "content";
type Draft = Partial<Record<Name | "parent_id", string>>;
type Control = HTMLInputElement | HTMLTextAreaElement;
type ApiAnswer = { comment?: { id?: number }; error?: { code?: string; fields?: Record<string, string> } } | null;

const FIELDS: Name[] = ["author_name", "author_email", "author_url", "content"];
const IDENTITY: Name[] = ["author_name", "author_email", "author_url"];
const IDENTITY_KEY = "billet:identity";
/** A request that hangs this long is given up, and said so; the draft stays. */
const TIMEOUT_MS = 30_000;
/** The server takes at most this many posts per counts request. */
const COUNTS_PER_REQUEST = 100;

/** A random key for one attempt at posting a text (crypto.randomUUID needs HTTPS; this does not). */
function newIdempotencyKey(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function store(key: string, value: unknown): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Private mode or storage full: the draft just isn't kept across reloads.
  }
}

function load<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

/** Adds or removes one id in an element's aria-describedby. */
function describe(el: Element, id: string, on: boolean): void {
  const ids = new Set((el.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean));
  if (on) ids.add(id);
  else ids.delete(id);
  if (ids.size) el.setAttribute("aria-describedby", [...ids].join(" "));
  else el.removeAttribute("aria-describedby");
}

/** What the browser can check before sending, with the server's error codes. */
function check(el: Control): string | null {
  const value = el.value.trim();
  if (!value) return el.required ? "required" : null;
  if (el.maxLength > 0 && el.value.length > el.maxLength) return "too_long";
  if (el.type === "email" && el.validity.typeMismatch) return "invalid_email";
  if (el.type === "url" && (el.validity.typeMismatch || !/^https?:\/\/[^\s/]/i.test(value))) return "invalid_url";
  return null;
}

/** The sentence for a failed post; marks the fields the server named. */
function failure(res: Response, data: ApiAnswer, s: Strings, m: Messages, mark: (fields: Record<string, string>) => boolean, cancelReply: () => void): string {
  const error = data?.error;
  if (error?.fields?.parent_id) {
    cancelReply();
    return m.replyGone;
  }
  if (error?.fields && mark(error.fields)) return s.fixErrors;
  if (error?.fields?.["cf-turnstile-response"]) return m.challenge;
  const code = error?.code ?? "";
  if (code === "rate_limited" || res.status === 429) return m.rateLimited(Number(res.headers.get("Retry-After")) || 60);
  if (code === "storage_unavailable" || res.status === 503) return m.unavailable;
  if (code === "duplicate_comment") return m.duplicate;
  if (code === "comments_closed") return s.closed;
  if (code === "edit_window_passed") return s.own.passed;
  if (code === "payload_too_large") return m.tooLarge;
  return m.failed(res.status);
}

type Turnstile = { render(el: HTMLElement, options: Record<string, unknown>): string; reset(id: string): void };
const TURNSTILE_API = "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit&onload=billetTurnstile";

/**
 * Cloudflare Turnstile, when the page has its placeholder (the blog has a site key): its script is
 * loaded only then, the challenge put in the form (its token is a form field), and renewed after
 * every try, since a token serves once. Returns the renewal.
 */
function antiSpam(form: HTMLFormElement): () => void {
  const box = form.querySelector<HTMLElement>(".turnstile[data-sitekey]");
  if (!box) return () => {};
  const w = window as unknown as { turnstile?: Turnstile; billetTurnstile?: () => void };
  let id: string | undefined;
  w.billetTurnstile = () => {
    id = w.turnstile?.render(box, { sitekey: box.dataset.sitekey, "response-field-name": "cf-turnstile-response", language: form.dataset.lang || "auto" });
  };
  const script = document.createElement("script");
  script.src = TURNSTILE_API;
  script.async = true;
  document.head.append(script);
  return () => {
    if (id !== undefined) w.turnstile?.reset(id);
  };
}

/**
 * Where the form lives: billet's own post page (the document, its cookie), or a shadow root on
 * another site's page (widget/embed.ts: no cookie, the comments re-read from the fragment, the
 * reader's own found by the edit tokens it keeps).
 */
export interface Host extends OwnHost {
  /** The address of the comments as they are now (a page or a fragment with `#comments`). */
  fresh(): URL;
  /** Told of each comment posted (embed.ts keeps its edit token in the browser's storage). */
  posted?(answer: ApiAnswer): void;
  /** Reads the reader's own comments again (their edit and delete buttons; set by withOwn). */
  reloadOwn?(): Promise<void>;
}

export type { ApiAnswer };

/** billet's own post page, in the page and order the reader is on. */
const ownPage = (form: HTMLFormElement | null): Host => ({
  root: document,
  credentials: "same-origin",
  mine: mineByCookie,
  fresh() {
    const page = form ? new URL(`/posts/${encodeURIComponent(form.dataset.slug ?? "")}/`, form.action) : new URL(location.pathname, location.href);
    for (const key of ["page", "sort"]) {
      const value = new URLSearchParams(location.search).get(key);
      if (value) page.searchParams.set(key, value);
    }
    return page;
  },
});

export function enhanceForm(form: HTMLFormElement, host: Host = ownPage(form)): void {
  const slug = form.dataset.slug ?? "";
  const s = stringsFor(form.dataset.lang);
  const m = messagesFor(form.dataset.lang);
  const draftKey = `billet:draft:${slug}`;
  // The last text sent and its Idempotency-Key: sending the same text again (after a lost answer,
  // even after a reload) reuses the key, so the server answers with the comment it already has.
  const attemptKey = `billet:attempt:${slug}`;
  const field = (name: string) => form.elements.namedItem(name) as Control | null;
  const errorOf = (name: string) => form.querySelector<HTMLElement>(`#billet-${name}-error`);
  const parent = field("parent_id")!;
  const content = field("content")!;
  const message = form.querySelector<HTMLElement>(".form-message")!;
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  const replying = form.querySelector<HTMLElement>(".replying-to")!;
  replying.id ||= "billet-replying-to";
  let startedAt = 0;
  let busy = false;
  const renewChallenge = antiSpam(form);
  const closePreview = preview(content as HTMLTextAreaElement, s, host);

  // The widget checks the fields itself and says what is wrong next to each one.
  form.noValidate = true;
  // A live region is announced only when it is already in the page as its text changes.
  message.hidden = false;

  const saveDraft = () => {
    const draft = Object.fromEntries([...FIELDS, "parent_id"].map((n) => [n, field(n)?.value ?? ""])) as Draft;
    store(draftKey, draft);
    store(IDENTITY_KEY, Object.fromEntries(IDENTITY.map((n) => [n, draft[n]])));
  };

  // Reply links fill in the parent and bring the form to the reader; the form says whom it answers.
  const setReply = (link: HTMLElement | null, focus: boolean) => {
    parent.value = link?.dataset.replyTo ?? "";
    replying.textContent = "";
    replying.hidden = !link;
    describe(content, replying.id, !!link);
    if (link) {
      const cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "cancel-reply";
      cancel.textContent = s.cancelReply;
      replying.append(`${s.replyTo(link.dataset.replyName ?? "", link.dataset.replyNumber ?? "")} `, cancel);
    }
    if (focus) content.focus();
  };
  const replyLink = (id: string | undefined) => (id ? host.root.querySelector<HTMLElement>(`a.comment-reply[data-reply-to="${CSS.escape(id)}"]`) : null);

  // Restore: the reader's identity from any post, their unsent text (and whom it answers) from this one.
  const saved: Draft = { ...load<Draft>(IDENTITY_KEY), ...load<Draft>(draftKey) };
  for (const name of FIELDS) {
    const el = field(name);
    if (el && !el.value && saved[name]) el.value = saved[name]!;
  }
  if (parent.value) describe(content, replying.id, true);
  else if (saved.parent_id && saved.content) setReply(replyLink(saved.parent_id), false);

  form.addEventListener("input", saveDraft);
  form.addEventListener("focusin", () => (startedAt ||= Date.now()));

  host.root.addEventListener("click", (e) => {
    const event = e as MouseEvent;
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    const target = event.target as Element;
    const link = target.closest<HTMLElement>("a.comment-reply");
    const cancel = target.closest(".cancel-reply");
    if (!link && !cancel) return;
    event.preventDefault();
    setReply(link, true);
    saveDraft();
    // The no-JS reply address (?reply_to=ID) no longer says what the form does.
    const url = new URL(location.href);
    if (url.searchParams.has("reply_to")) {
      url.searchParams.delete("reply_to");
      history.replaceState(history.state, "", url);
    }
  });

  const say = (text: string, kind: "ok" | "error") => {
    message.setAttribute("role", kind === "error" ? "alert" : "status");
    message.className = `form-message form-message--${kind}`;
    message.textContent = text;
  };
  const clearErrors = () => {
    message.textContent = "";
    message.className = "form-message";
    for (const name of FIELDS) {
      const el = field(name);
      const error = errorOf(name);
      if (!el || !error) continue;
      el.removeAttribute("aria-invalid");
      describe(el, error.id, false);
      error.hidden = true;
      error.textContent = "";
    }
  };
  /** Shows each error next to its field; returns whether any field was marked. */
  const mark = (errors: Record<string, string>): boolean => {
    let any = false;
    for (const name of FIELDS) {
      const el = field(name);
      const error = errorOf(name);
      const code = errors[name];
      if (!code || !el || !error) continue;
      error.textContent = s.fieldErrors[code] ?? s.fieldErrors.invalid;
      error.hidden = false;
      el.setAttribute("aria-invalid", "true");
      describe(el, error.id, true);
      any = true;
    }
    return any;
  };
  const focusFirstInvalid = () => form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    clearErrors();
    const invalid: Record<string, string> = {};
    for (const name of FIELDS) {
      const el = field(name);
      const code = el && check(el);
      if (code) invalid[name] = code;
    }
    if (mark(invalid)) {
      say(s.fixErrors, "error");
      focusFirstInvalid();
      return;
    }
    saveDraft();
    const body: Record<string, unknown> = Object.fromEntries(new FormData(form));
    for (const name of ["author_email", "author_url"]) body[name] = String(body[name] ?? "").trim();
    const sent = JSON.stringify([...FIELDS, "parent_id"].map((n) => body[n] ?? ""));
    const attempt = load<{ key: string; sent: string }>(attemptKey);
    const idempotencyKey = attempt?.sent === sent ? attempt.key : newIdempotencyKey();
    store(attemptKey, { key: idempotencyKey, sent });
    if (startedAt) body.fill_ms = Date.now() - startedAt;
    // The button stays focusable while busy (a disabled one would drop the keyboard's focus).
    busy = true;
    form.setAttribute("aria-busy", "true");
    button.setAttribute("aria-disabled", "true");
    button.textContent = s.sending;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    try {
      const res = await fetch(form.action, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "Idempotency-Key": idempotencyKey },
        body: JSON.stringify(body),
        credentials: host.credentials,
        signal: abort.signal,
      });
      const data = (await res.json().catch(() => null)) as ApiAnswer;
      if (res.status === 201 || res.status === 202) {
        store(draftKey, null);
        store(attemptKey, null);
        content.value = "";
        setReply(null, false);
        startedAt = 0;
        closePreview();
        host.posted?.(data);
        await refreshComments(host, data?.comment?.id);
        void host.reloadOwn?.();
        say(res.status === 201 ? s.publishedNotice : s.pendingNotice, "ok");
      } else {
        const text = failure(res, data, s, m, mark, () => setReply(null, false));
        saveDraft();
        say(`${text} ${s.draftKept}`, "error");
        focusFirstInvalid();
      }
    } catch {
      say(`${s.networkError} ${s.draftKept}`, "error");
    } finally {
      clearTimeout(timer);
      renewChallenge();
      busy = false;
      form.removeAttribute("aria-busy");
      button.removeAttribute("aria-disabled");
      button.textContent = s.submit;
    }
  });
}

/**
 * The blog's author, signed in on the admin page (which left a hint cookie), is offered to post
 * with the author's badge; the server checks the author's own cookie, not this box.
 */
async function offerAuthor(form: HTMLFormElement, s: Strings): Promise<void> {
  if (!/(?:^|;\s*)billet_author_hint=1/.test(document.cookie)) return;
  try {
    const res = await fetch("/api/author", { credentials: "same-origin" });
    if (!res.ok || !((await res.json()) as { author?: boolean }).author) return;
  } catch {
    return;
  }
  const p = document.createElement("p");
  p.className = "field field-notify field-as-author";
  p.innerHTML = `<input type="checkbox" id="billet-as_author" name="as_author" value="on"> <label for="billet-as_author"></label>`;
  p.querySelector("label")!.textContent = s.postAsAuthor;
  const box = p.querySelector("input")!;
  const name = form.elements.namedItem("author_name") as HTMLInputElement;
  // As the author, the name is the post's author's: the field may stay empty.
  box.addEventListener("change", () => {
    name.required = !box.checked;
  });
  form.querySelector(".field-content")?.before(p);
}

/**
 * The reader's own comments where `host` shows them (edit, delete), also on a thread whose comments
 * have closed since: set up, their reload kept as `host.reloadOwn`. After a change the comments are
 * read again, as after posting, and the controls put back.
 */
export function withOwn(host: Host, lang: string | undefined): Host {
  const s = stringsFor(lang);
  const m = messagesFor(lang);
  const reload = ownComments(
    s,
    (res, data, mark) => failure(res, data, s, m, mark, () => {}),
    async (id) => {
      await refreshComments(host, id);
      await reload();
    },
    host,
  );
  host.reloadOwn = reload;
  return host;
}

/** Fetches the comments again (on billet's page, the reader sees their own pending comment) and swaps them in. */
async function refreshComments(host: Host, id: number | undefined): Promise<void> {
  try {
    const res = await fetch(host.fresh(), { credentials: host.credentials, cache: "no-store" });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const section = host.root.getElementById("comments");
    const fresh = doc.getElementById("comments");
    if (!section || !fresh) return;
    for (const selector of [".comment-list, .no-comments", "#comments-title"]) {
      const old = section.querySelector(selector);
      const now = fresh.querySelector(selector);
      if (old && now) old.replaceWith(document.importNode(now, true));
    }
    showUseful();
    const mine = id ? host.root.getElementById(`comment-${id}`) : null;
    if (mine) {
      mine.scrollIntoView({ block: "center" });
      mine.focus({ preventScroll: true });
    }
  } catch {
    // The comment is saved; the list refreshes on the next visit.
  }
}

/** Live comment counts where a page lists posts. */
async function updateCounts(): Promise<void> {
  const links = [...document.querySelectorAll<HTMLElement>("[data-comment-count]")];
  if (!links.length) return;
  const slugs = [...new Set(links.map((l) => l.dataset.commentCount!))];
  try {
    const chunks = Array.from({ length: Math.ceil(slugs.length / COUNTS_PER_REQUEST) }, (_, i) =>
      slugs.slice(i * COUNTS_PER_REQUEST, (i + 1) * COUNTS_PER_REQUEST),
    );
    const answers = await Promise.all(chunks.map((chunk) => fetch(`/api/comments/counts?posts=${encodeURIComponent(chunk.join(","))}`)));
    if (answers.some((res) => !res.ok)) return;
    const counts = Object.assign({}, ...(await Promise.all(answers.map((res) => res.json())))) as Record<string, number>;
    for (const l of links) {
      const n = counts[l.dataset.commentCount!];
      if (typeof n === "number") l.textContent = stringsFor(document.documentElement.lang).commentCount(n);
    }
  } catch {
    // Counts from the build stay.
  }
}

const SORT_KEY = "billet:sort";
const USEFUL_KEY = "billet:useful";

/**
 * The order of comments the reader chose (a plain link) is remembered, and followed when they come
 * back to a post at its plain address.
 */
function followSort(): void {
  const links = [...document.querySelectorAll<HTMLAnchorElement>(".comment-sort a[data-sort]")];
  for (const a of links) a.addEventListener("click", () => store(SORT_KEY, a.dataset.sort));
  const chosen = links.find((a) => a.dataset.sort === load<string>(SORT_KEY));
  if (chosen && !location.search && !chosen.hasAttribute("aria-current")) location.replace(chosen.href.split("#")[0] + location.hash);
}

/** The reader's own "useful" marks (kept here, since the cached page cannot know them), shown pressed. */
function showUseful(): void {
  const mine = new Set(load<number[]>(USEFUL_KEY));
  for (const b of document.querySelectorAll<HTMLButtonElement>("form.comment-useful button")) {
    b.setAttribute("aria-pressed", String(mine.has(Number(b.form?.action.split("/").at(-2)))));
  }
}

/** "Useful" sent without leaving the page: a mark, or its undo; the count changes here only. */
async function sendUseful(form: HTMLFormElement): Promise<void> {
  const id = Number(form.action.split("/").at(-2));
  const mine = new Set(load<number[]>(USEFUL_KEY));
  const res = await fetch(form.action, {
    method: mine.has(id) ? "DELETE" : "POST",
    headers: { "Content-Type": "application/json" },
    credentials: "same-origin",
  }).catch(() => null);
  const data = res?.ok ? ((await res.json()) as { reactions: number; mine: boolean }) : null;
  if (!data) return;
  if (data.mine) mine.add(id);
  else mine.delete(id);
  store(USEFUL_KEY, [...mine].slice(-500));
  const count = form.querySelector<HTMLElement>(".useful-count");
  if (count) count.textContent = String(data.reactions);
  const said = form.querySelector<HTMLElement>(`#comment-${id}-useful`);
  if (said) said.textContent = stringsFor(document.documentElement.lang).order.usefulCount(data.reactions);
  showUseful();
}

function start(): void {
  const form = document.querySelector<HTMLFormElement>("form.comment-form");
  const lang = form?.dataset.lang ?? document.documentElement.lang;
  const host = withOwn(ownPage(form), lang);
  if (form) {
    enhanceForm(form, host);
    void offerAuthor(form, stringsFor(lang));
  }
  void host.reloadOwn!();
  void updateCounts();
  followSort();
  showUseful();
  document.addEventListener("submit", (e) => {
    const target = e.target as HTMLFormElement;
    if (!target.matches("form.comment-useful")) return;
    e.preventDefault();
    void sendUseful(target);
  });
}

// widget/embed.ts imports the parts above: on another site's page nothing starts by itself.
if (!(globalThis as { billetEmbed?: boolean }).billetEmbed) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}
