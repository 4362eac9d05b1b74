// billet's widget: enhances the server-rendered comment form and list. Without it the form still
// posts and the page still shows every comment; with it, posting stays on the page, errors show
// next to their fields, and the reader's draft survives any failure.
import { stringsFor, type Strings } from "../workers/render/strings.ts";

type Fields = Record<"author_name" | "author_email" | "author_url" | "content", string>;
const FIELDS: (keyof Fields)[] = ["author_name", "author_email", "author_url", "content"];
const IDENTITY: (keyof Fields)[] = ["author_name", "author_email", "author_url"];

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

function enhanceForm(form: HTMLFormElement): void {
  const slug = form.dataset.slug ?? "";
  const s: Strings = stringsFor(form.dataset.lang);
  const draftKey = `billet:draft:${slug}`;
  const input = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | null;
  const message = form.querySelector<HTMLElement>(".form-message")!;
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  const replying = form.querySelector<HTMLElement>(".replying-to")!;
  let startedAt = 0;

  // Restore: the reader's identity from any post, their unsent text from this one.
  const saved = { ...load<Partial<Fields>>("billet:identity"), ...load<Partial<Fields>>(draftKey) };
  for (const name of FIELDS) {
    const el = input(name);
    if (el && !el.value && saved[name]) el.value = saved[name]!;
  }
  const saveDraft = () => {
    const values = Object.fromEntries(FIELDS.map((n) => [n, input(n)?.value ?? ""])) as Fields;
    store(draftKey, values);
    store("billet:identity", Object.fromEntries(IDENTITY.map((n) => [n, values[n]])));
  };
  form.addEventListener("input", saveDraft);
  form.addEventListener("focusin", () => (startedAt ||= Date.now()));

  const say = (text: string, kind: "ok" | "error") => {
    message.textContent = text;
    message.hidden = false;
    message.className = `form-message form-message--${kind}`;
    message.setAttribute("role", kind === "error" ? "alert" : "status");
  };
  const clearErrors = () => {
    for (const el of form.querySelectorAll<HTMLElement>(".field-error")) {
      el.hidden = true;
      el.textContent = "";
    }
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  };
  const showFieldErrors = (fields: Record<string, string>) => {
    let first: HTMLElement | null = null;
    for (const [name, code] of Object.entries(fields)) {
      const el = input(name);
      const error = form.querySelector<HTMLElement>(`#billet-${CSS.escape(name)}-error`);
      if (!el || !error) continue;
      error.textContent = s.fieldErrors[code] ?? s.fieldErrors.invalid;
      error.hidden = false;
      el.setAttribute("aria-invalid", "true");
      if (!el.getAttribute("aria-describedby")?.includes(error.id)) el.setAttribute("aria-describedby", `${el.getAttribute("aria-describedby") ?? ""} ${error.id}`.trim());
      first ??= el;
    }
    first?.focus();
  };

  // Reply links fill in the parent and bring the form to the reader.
  const setReply = (id: string, name: string, number: string) => {
    input("parent_id")!.value = id;
    replying.textContent = `${s.replyTo(name, number)} `;
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "cancel-reply";
    cancel.textContent = s.cancelReply;
    cancel.addEventListener("click", () => {
      input("parent_id")!.value = "";
      replying.hidden = true;
      input("content")?.focus();
    });
    replying.append(cancel);
    replying.hidden = false;
    input("content")?.focus();
  };
  document.addEventListener("click", (event) => {
    const link = (event.target as Element).closest<HTMLAnchorElement>("a.comment-reply");
    if (!link) return;
    event.preventDefault();
    setReply(link.dataset.replyTo ?? "", link.dataset.replyName ?? "", link.dataset.replyNumber ?? "");
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    clearErrors();
    saveDraft();
    const body: Record<string, unknown> = Object.fromEntries(new FormData(form));
    if (startedAt) body.fill_ms = Date.now() - startedAt;
    button.disabled = true;
    button.textContent = s.sending;
    try {
      const res = await fetch(form.action, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      const data = await res.json().catch(() => null);
      if (res.status === 201 || res.status === 202) {
        store(draftKey, null);
        input("content")!.value = "";
        input("parent_id")!.value = "";
        replying.hidden = true;
        await refreshComments(data?.comment?.id);
        say(res.status === 201 ? s.publishedNotice : s.pendingNotice, "ok");
      } else {
        if (data?.error?.fields) showFieldErrors(data.error.fields);
        say(`${data?.error?.fields ? s.fixErrors : (data?.error?.message ?? s.networkError)} ${s.draftKept}`, "error");
      }
    } catch {
      say(`${s.networkError} ${s.draftKept}`, "error");
    } finally {
      button.disabled = false;
      button.textContent = s.submit;
    }
  });
}

/** Fetches the page again (the reader sees their own pending comment) and swaps in its comments. */
async function refreshComments(id: number | undefined): Promise<void> {
  try {
    const res = await fetch(location.pathname + location.search.replace(/([?&])reply_to=\d+&?/, "$1"), { credentials: "same-origin", cache: "no-store" });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const section = document.getElementById("comments")!;
    const fresh = doc.getElementById("comments");
    if (!fresh) return;
    const oldList = section.querySelector(".comment-list, .no-comments");
    const newList = fresh.querySelector(".comment-list, .no-comments");
    if (oldList && newList) oldList.replaceWith(document.importNode(newList, true));
    const count = fresh.querySelector("#comments-title");
    if (count) section.querySelector("#comments-title")?.replaceWith(document.importNode(count, true));
    const mine = id ? document.getElementById(`comment-${id}`) : null;
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
    const res = await fetch(`/api/comments/counts?posts=${encodeURIComponent(slugs.join(","))}`);
    if (!res.ok) return;
    const counts = (await res.json()) as Record<string, number>;
    for (const l of links) {
      const n = counts[l.dataset.commentCount!];
      if (typeof n === "number") l.textContent = stringsFor(document.documentElement.lang).commentCount(n);
    }
  } catch {
    // Counts from the build stay.
  }
}

function start(): void {
  const form = document.querySelector<HTMLFormElement>("form.comment-form");
  if (form) enhanceForm(form);
  void updateCounts();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
