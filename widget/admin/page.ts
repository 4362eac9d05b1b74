// What every part of the moderation page shares: its language and words, the token, the admin API,
// building elements, and the two message lines (what happened, what went wrong).
import { ApiFailure, failureWords } from "./logic.ts";
import { adminStrings } from "./strings.ts";
import { firstOfMonth } from "../../workers/render/html.ts";

const TOKEN_KEY = "billet:admin-token";
const root = document.documentElement;

export const lang = root.lang || "fr";
export const s = adminStrings(root.lang);
const dateTime = new Intl.DateTimeFormat(root.lang || undefined, { dateStyle: "medium", timeStyle: "short", timeZone: root.dataset.timezone || undefined });
const dateOnly = new Intl.DateTimeFormat(root.lang || undefined, { dateStyle: "long", timeZone: root.dataset.timezone || undefined });

/** A date and time in the site's language and time zone. */
export function when(iso: string): string {
  return firstOfMonth(dateTime.format(new Date(iso)), lang);
}

/** A day in the site's language and time zone. */
export function day(iso: string): string {
  return firstOfMonth(dateOnly.format(new Date(iso)), lang);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Text that a screen reader reads with what precedes it, hidden from the eye. */
export function hiddenText(text: string): HTMLSpanElement {
  return el("span", "visually-hidden", text);
}

// ---- the token -----------------------------------------------------------------------------

let token: string | null = null;
try {
  token = sessionStorage.getItem(TOKEN_KEY);
} catch {
  // Storage refused: the token lives only as long as the page.
}

/**
 * Kept instead of a token when Cloudflare Access signed the author in: Access's own cookie
 * identifies every call, so none carries a token. A tab cannot be part of a token typed in.
 */
export const ACCESS_SESSION = "\taccess";

export function currentToken(): string | null {
  return token;
}

export function keepToken(value: string | null): void {
  token = value;
  try {
    if (value === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, value);
  } catch {
    // as above
  }
}

// ---- the API -------------------------------------------------------------------------------

async function send(method: string, path: string, body: unknown, with_: string | null): Promise<Response> {
  try {
    return await fetch(path, {
      method,
      headers: {
        ...(with_ && with_ !== ACCESS_SESSION ? { Authorization: `Bearer ${with_}` } : {}),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    throw new ApiFailure(0, "network", "The network did not answer.");
  }
}

async function failure(res: Response): Promise<ApiFailure> {
  let data: { error?: { code?: string; message?: string; fields?: Record<string, string> } } | null = null;
  try {
    data = await res.json();
  } catch {
    // not JSON: the status says enough
  }
  const wait = Number(res.headers.get("Retry-After"));
  const err = new ApiFailure(res.status, data?.error?.code ?? "", data?.error?.message ?? "", Number.isFinite(wait) && wait > 0 ? Math.ceil(wait) : null);
  fieldsOf.set(err, data?.error?.fields ?? {});
  return err;
}

const fieldsOf = new WeakMap<ApiFailure, Record<string, string>>();

/** The fields a 422 named, e.g. {value: "invalid"}. */
export function failedFields(err: unknown): Record<string, string> {
  return err instanceof ApiFailure ? (fieldsOf.get(err) ?? {}) : {};
}

export async function api<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown, with_ = token): Promise<T | null> {
  const res = await send(method, path, body, with_);
  if (res.status === 204) return null;
  if (!res.ok) throw await failure(res);
  try {
    return (await res.json()) as T;
  } catch {
    return null;
  }
}

/** A GET answered as a file: its bytes, to be saved by the browser. */
export async function apiBlob(path: string): Promise<Blob> {
  const res = await send("GET", path, undefined, token);
  if (!res.ok) throw await failure(res);
  return res.blob();
}

/** Saves a Blob as a download with this name. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = el("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the object URL; it can go once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---- messages ------------------------------------------------------------------------------

const status = byId("status");
const alertLine = byId("alert");

/**
 * Says what happened, politely. What the screen already shows (a tab's contents) is for screen
 * readers only; what an action did is shown too, as the item it was about has left the list.
 */
export function announce(text: string, shown = true): void {
  status.classList.toggle("visually-hidden", !shown);
  // A change of text is what a polite live region reads; the same text twice must still be read.
  status.textContent = status.textContent === text ? `${text}\u00a0` : text;
}

export function showError(text: string): void {
  alertLine.textContent = text;
}

export function clearError(): void {
  alertLine.textContent = "";
}

let unauthorized: (message: string) => void = () => undefined;

/** What to do when the token is refused (admin.ts: sign out and ask for it again). */
export function onUnauthorized(handler: (message: string) => void): void {
  unauthorized = handler;
}

/** A failure: a refused token asks for it again; anything else is said in the alert. */
export function fail(err: unknown, label?: string): void {
  if (err instanceof ApiFailure && err.status === 401) {
    unauthorized(s.tokenExpired);
    return;
  }
  const words = failureWords(err, s);
  showError(label ? s.about(label, words) : words);
}

/** Marks a control busy (still focusable, so the focus is not lost) while a request runs. */
export function setBusyButton(button: HTMLButtonElement, busy: boolean): void {
  if (busy) button.setAttribute("aria-disabled", "true");
  else button.removeAttribute("aria-disabled");
}

export function isBusy(button: HTMLElement): boolean {
  return button.getAttribute("aria-disabled") === "true";
}

/** A field's error: shown under it, tied to it, and the field marked invalid (empty text clears). */
export function fieldError(input: HTMLElement, error: HTMLElement, text: string): void {
  error.textContent = text;
  if (text) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}
