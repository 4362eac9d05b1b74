// embed.js: billet's comments on another site's page. The page carries
//   <div id="billet-comments" data-billet-url="https://blog.example/post/"></div>
//   <script src="https://BILLET/embed.js" async></script>
// The thread's section (GET /embed/comments, the renderer of billet's own pages) goes into a shadow
// root, so the host's styles and billet's stay apart; when a static build or an edge splice already
// put it in the element, that section is moved in as it is instead of being drawn again. The form
// is then billet's own widget (widget.ts), with no cookie on the host: the commenter's edit token
// is kept in the browser's storage, with the text they posted, and gives them "Modifier" and
// "Supprimer" on their comment while its window runs (own.ts). Elements with data-billet-count="<page address>" get the
// page's number of comments.
import "./embed-flag.ts";
import { stringsFor } from "../workers/render/strings.ts";
import { EMBED_CSS } from "./embed-style.ts";
import type { Mine } from "./own.ts";
import { type ApiAnswer, enhanceForm, withOwn } from "./widget.ts";

const script = document.currentScript as HTMLScriptElement | null;
/** billet's address: where this script came from. */
const BASE = new URL(script?.src || "/", location.href).origin;
const TOKENS_KEY = "billet:tokens";
/** The server takes at most this many pages per counts request. */
const COUNTS_PER_REQUEST = 100;

interface Thread {
  url: string;
  id: string;
  title: string;
  lang: string;
}

function threadOf(el: HTMLElement): Thread {
  const canonical = document.querySelector<HTMLLinkElement>('link[rel="canonical"]')?.href;
  return {
    url: el.dataset.billetUrl || canonical || location.href.split("#")[0],
    id: el.dataset.billetId || "",
    title: el.dataset.billetTitle || document.title,
    lang: el.dataset.billetLang || document.documentElement.lang || "fr",
  };
}

function fragmentUrl(t: Thread): URL {
  const url = new URL("/embed/comments", BASE);
  url.searchParams.set("url", t.url);
  if (t.id) url.searchParams.set("id", t.id);
  url.searchParams.set("lang", t.lang);
  if (t.title) url.searchParams.set("title", t.title);
  return url;
}

/** The commenter's proofs for their own comments (edit and delete within the window) and their texts, by comment id. */
type Kept = Record<string, { token: string; until: string; content?: string }>;

/** The kept tokens changed by `change` and stored again, those whose window has ended dropped. */
function updateKept(change: (kept: Kept) => void): void {
  try {
    const now = Date.now();
    const kept = JSON.parse(localStorage.getItem(TOKENS_KEY) || "{}") as Kept;
    for (const [id, t] of Object.entries(kept)) if (Date.parse(t.until) < now) delete kept[id];
    change(kept);
    localStorage.setItem(TOKENS_KEY, JSON.stringify(kept));
  } catch {
    // No storage: the comment stays, only its later edit is lost.
  }
}

function keepToken(answer: ApiAnswer): void {
  const a = answer as { comment?: { id?: number; content?: string }; edit_token?: string; editable_until?: string } | null;
  const id = a?.comment?.id;
  if (!id || !a.edit_token) return;
  updateKept((kept) => {
    kept[id] = { token: a.edit_token!, until: a.editable_until ?? "", content: a.comment?.content ?? "" };
  });
}

/** The commenter's comments they may still change: those whose token is kept (one kept without its text, by an older embed.js, is left out). */
async function keptMine(): Promise<Mine[]> {
  const mine: Mine[] = [];
  updateKept((kept) => {
    for (const [id, t] of Object.entries(kept)) {
      if (typeof t.content === "string") mine.push({ id: Number(id), token: t.token, editable_until: t.until, content: t.content });
    }
  });
  return mine;
}

/** An edit keeps the new text for the next one; a deleted comment's token is forgotten. */
function keepChange(m: Mine, gone: boolean): void {
  updateKept((kept) => {
    if (gone) delete kept[m.id];
    else if (kept[m.id]) kept[m.id].content = m.content;
  });
}

let sheet: CSSStyleSheet | undefined;

async function mount(el: HTMLElement): Promise<void> {
  if (el.shadowRoot) return;
  const t = threadOf(el);
  // Put there by a static build or an edge splice: enhanced, not drawn again.
  let section = el.querySelector<HTMLElement>("section.billet-comments");
  if (!section) {
    try {
      const res = await fetch(fragmentUrl(t), { credentials: "omit" });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      section = doc.querySelector<HTMLElement>("section.billet-comments");
    } catch {
      return;
    }
    if (!section || el.shadowRoot) return;
  }
  const shadow = el.attachShadow({ mode: "open" });
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(EMBED_CSS);
  }
  shadow.adoptedStyleSheets = [sheet];
  const box = document.createElement("div");
  box.className = "billet";
  box.setAttribute("part", "billet");
  box.append(document.importNode(section, true));
  shadow.append(box);
  section.remove();
  const host = withOwn(
    { root: shadow, credentials: "omit", base: BASE, fresh: () => fragmentUrl(t), posted: keepToken, mine: keptMine, changed: keepChange },
    t.lang,
  );
  const form = shadow.querySelector<HTMLFormElement>("form.comment-form");
  if (form) enhanceForm(form, host);
  // Also on a thread whose comments have closed since.
  void host.reloadOwn!();
}

async function counts(): Promise<void> {
  const els = [...document.querySelectorAll<HTMLElement>("[data-billet-count]")];
  const urlOf = (el: HTMLElement) => new URL(el.dataset.billetCount || location.href, location.href).href;
  const urls = [...new Set(els.map(urlOf))];
  const found: Record<string, number> = {};
  try {
    for (let i = 0; i < urls.length; i += COUNTS_PER_REQUEST) {
      const query = urls
        .slice(i, i + COUNTS_PER_REQUEST)
        .map((u) => `url=${encodeURIComponent(u)}`)
        .join("&");
      const res = await fetch(`${BASE}/api/threads/counts?${query}`, { credentials: "omit" });
      if (!res.ok) return;
      Object.assign(found, await res.json());
    }
  } catch {
    return;
  }
  for (const el of els) {
    const n = found[urlOf(el)];
    if (typeof n === "number") el.textContent = stringsFor(el.dataset.billetLang || document.documentElement.lang).commentCount(n);
  }
}

function start(): void {
  for (const el of document.querySelectorAll<HTMLElement>("#billet-comments, [data-billet-comments]")) void mount(el);
  void counts();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
