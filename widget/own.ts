// The reader's own comments while they may still change them: "Modifier" and "Supprimer" with the
// time left, the text edited in place, a confirmation before deleting; and the preview of the text
// being written, rendered by the server. The page is the same for everyone: on billet's own page,
// which comments are the reader's comes from GET /api/comments/mine (their HttpOnly cookie), asked
// only when the script-readable hint cookie says a window is still open; on another site's page
// (embed.ts), from the edit tokens kept in the browser's storage, each sent with its request.
import type { Strings } from "../workers/render/strings.ts";

/** One of the reader's comments they may still change; `token` proves it where there is no cookie. */
export type Mine = { id: number; content: string; editable_until: string; token?: string };
/** Where the reader's own comments are shown and how they are asked for and changed. */
export interface OwnHost {
  root: Document | ShadowRoot;
  credentials: RequestCredentials;
  /** billet's address for the API (none on billet's own page). */
  base?: string;
  /** The reader's comments they may still change; undefined when that could not be known (the last list stays). */
  mine(): Promise<Mine[] | undefined>;
  /** Told of a comment's new text (m.content) or of its deletion (`gone`). */
  changed?(m: Mine, gone: boolean): void;
}
export type Answer = { comment?: { id?: number; html: string }; html?: string; error?: { code?: string; fields?: Record<string, string> } } | null;
/** The sentence for a failed request (the widget's own), marking the text's field through `mark`. */
export type Fail = (res: Response, data: Answer, mark: (fields: Record<string, string>) => boolean) => string;

/** How often the time left is said again (and the controls taken away when it is up). */
const TICK_MS = 20_000;

/** An element with its properties (className, textContent, hidden, onclick...) and children. */
function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: object = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

// A block, not `e.key === "Escape" && f()`: a handler that returns false cancels the key (Enter, typing).
const onEscape = (f: () => void) => (e: KeyboardEvent) => {
  if (e.key === "Escape") f();
};

const button = (text: string, onclick: () => void) => el("button", { type: "button", className: "own-button", textContent: text, onclick });

async function send(url: string, method: string, body?: unknown, init?: RequestInit): Promise<[Response, Answer]> {
  const res = await fetch(url, {
    method,
    ...init,
    headers: { "Content-Type": "application/json", ...init?.headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return [res, (await res.json().catch(() => null)) as Answer];
}

/** billet's own page: the reader's comments from their cookie, asked only when the hint cookie says a window is open. */
export async function mineByCookie(): Promise<Mine[] | undefined> {
  if (!/(^|;\s*)billet_edit=/.test(document.cookie)) return [];
  try {
    const res = await fetch("/api/comments/mine");
    if (res.ok) return ((await res.json()) as { comments: Mine[] }).comments;
  } catch {
    // No new list this time; the no-JS link, if any, stays.
  }
}

/** Sets up the controls; answers the function that (re)loads them, after the list was replaced too. */
export function ownComments(s: Strings, fail: Fail, refresh: (id?: number) => Promise<void>, host: OwnHost): () => Promise<void> {
  const o = s.own;
  const root = host.root;
  let mine: Mine[] = [];
  // The comment's own address at billet, with its proof when there is no cookie.
  const request = (m: Mine, method: string, body?: unknown) =>
    send(`${host.base ?? ""}/api/comments/${m.id}`, method, body, {
      credentials: host.credentials,
      headers: m.token ? { "X-Edit-Token": m.token } : {},
    });

  const tick = () => {
    for (const box of root.querySelectorAll<HTMLElement>(".own-controls")) {
      const left = Math.ceil((+box.dataset.until! - Date.now()) / 60_000);
      if (left > 0) box.querySelector(".own-left")!.textContent = o.left(left);
      else box.remove();
    }
  };

  const edit = (m: Mine, article: Element, opener: HTMLElement) => {
    const body = article.querySelector<HTMLElement>(".comment-body")!;
    if (body.hidden) return;
    const id = `billet-edit-${m.id}`;
    const area = el("textarea", { id, value: m.content, rows: 6, required: true });
    const error = el("strong", { className: "field-error", id: `${id}-error`, hidden: true });
    const message = el("p", { className: "form-message", role: "alert", hidden: true });
    const close = () => {
      form.remove();
      body.hidden = false;
      opener.focus();
    };
    const form = el(
      "form",
      { className: "own-edit" },
      el("label", { htmlFor: id, textContent: s.comment }),
      area,
      error,
      message,
      el("p", {}, el("button", { textContent: o.save }), " ", button(o.cancel, close)),
    );
    const mark = (fields: Record<string, string>) => {
      const code = fields.content;
      error.hidden = !code;
      if (!code) return false;
      error.textContent = s.fieldErrors[code] ?? s.fieldErrors.invalid;
      area.setAttribute("aria-invalid", "true");
      area.setAttribute("aria-describedby", error.id);
      area.focus();
      return true;
    };
    form.onkeydown = onEscape(close);
    form.onsubmit = async (event) => {
      event.preventDefault();
      area.removeAttribute("aria-invalid");
      message.hidden = true;
      if (mark(area.value.trim() ? {} : { content: "required" })) return;
      let text = s.networkError;
      try {
        const [res, data] = await request(m, "PATCH", { content: area.value });
        if (res.ok && data?.comment) {
          m.content = area.value;
          host.changed?.(m, false);
          // The server's rendering of the new text, at once; then the list as the server shows it now.
          body.innerHTML = data.comment.html;
          close();
          await refresh(m.id);
          return;
        }
        text = fail(res, data, mark);
      } catch {
        // The network: said as for a new comment; the text stays in the box.
      }
      message.textContent = text;
      message.hidden = false;
    };
    body.after(form);
    area.focus();
  };

  const remove = (m: Mine, box: HTMLElement, opener: HTMLElement, status: HTMLElement) => {
    if (box.querySelector(".own-confirm")) return;
    const cancel = () => {
      group.remove();
      opener.focus();
    };
    const yes = button(o.confirmYes, async () => {
      try {
        const [res, data] = await request(m, "DELETE");
        if (res.ok) {
          host.changed?.(m, true);
          await refresh();
          // The comment is gone: the reader is put back at the top of the comments.
          const title = root.getElementById("comments-title")!;
          title.tabIndex = -1;
          title.focus();
          return;
        }
        status.textContent = fail(res, data, () => false);
      } catch {
        status.textContent = s.networkError;
      }
    });
    // The question names the group: said as the keyboard enters it, on "Oui, supprimer".
    const group = el(
      "span",
      { className: "own-confirm", role: "group", ariaLabel: o.confirm, onkeydown: onEscape(cancel) },
      o.confirm,
      " ",
      yes,
      " ",
      button(o.cancel, cancel),
    );
    box.append(group);
    yes.focus();
  };

  const decorate = () => {
    for (const m of mine) {
      const article = root.querySelector(`#comment-${m.id} > article`);
      if (!article || article.querySelector(".own-controls")) continue;
      const footer = article.querySelector(":scope > footer") ?? article.appendChild(el("footer"));
      // The no-JS link to the comment's page: buttons do it here.
      footer.querySelector(".comment-edit")?.remove();
      const status = el("span", { role: "status" });
      const box = el("span", { className: "own-controls" });
      box.dataset.until = String(Date.parse(m.editable_until));
      const editButton = button(o.edit, () => edit(m, article, editButton));
      const deleteButton = button(o.delete, () => remove(m, box, deleteButton, status));
      // "Modifier" names which comment: its author.
      for (const b of [editButton, deleteButton]) b.setAttribute("aria-describedby", `comment-${m.id}-by`);
      box.append(editButton, " ", deleteButton, " ", el("span", { className: "own-left" }), status);
      footer.append(" ", box);
    }
    tick();
  };
  setInterval(tick, TICK_MS);

  return async () => {
    mine = (await host.mine()) ?? mine;
    decorate();
  };
}

/** The "Aperçu" toggle under the comment's text: the server renders it as it would publish it. Answers its reset. */
export function preview(content: HTMLTextAreaElement, s: Strings, host: Pick<OwnHost, "base" | "credentials">): () => void {
  const box = el("div", { className: "comment-preview comment-body", hidden: true });
  box.setAttribute("aria-live", "polite");
  const show = async () => {
    const text = content.value;
    let error = s.fieldErrors.required;
    if (text.trim()) {
      try {
        const [res, data] = await send(`${host.base ?? ""}/api/preview`, "POST", { content: text }, { credentials: host.credentials });
        if (res.ok && data?.html !== undefined) {
          box.innerHTML = data.html;
          return;
        }
        const field = data?.error?.fields?.content;
        error = field ? (s.fieldErrors[field] ?? s.fieldErrors.invalid) : s.own.previewFailed;
      } catch {
        error = s.own.previewFailed;
      }
    }
    box.textContent = error;
  };
  const set = (on: boolean) => {
    toggle.setAttribute("aria-pressed", String(on));
    box.hidden = !on;
    if (on) void show();
  };
  const toggle = button(s.own.preview, () => set(box.hidden));
  content.closest("p")!.after(el("p", {}, toggle), box);
  set(false);
  // While it is shown, the preview follows the text (a moment after the reader stops typing).
  let timer = 0;
  content.addEventListener("input", () => {
    clearTimeout(timer);
    if (!box.hidden) timer = window.setTimeout(show, 700);
  });
  return () => set(false);
}
