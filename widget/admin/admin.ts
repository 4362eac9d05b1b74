// The moderation page (/admin/): the admin JSON API in a browser, so the author needs no curl.
// The page's fixed parts are written by the build (scripts/admin-page.ts); this script signs in
// with the admin token (kept in sessionStorage), lists comments by state, and acts on them.
// Everything a commenter wrote goes in as text, except `html`, which the server rendered safe.
import {
  actionRequest,
  actionsFor,
  ApiFailure,
  bulkActionsFor,
  chunks,
  commentLink,
  failureWords,
  heldForWords,
  listPath,
  safeWebsite,
  statusFromHash,
  type AdminComment,
} from "./logic.ts";
import { adminStrings, type Action, type Status } from "./strings.ts";

interface ListAnswer {
  comments: AdminComment[];
  meta: { next_cursor: string | null };
}

interface Item {
  comment: AdminComment;
  li: HTMLLIElement;
  box: HTMLInputElement;
  label: string;
}

const TOKEN_KEY = "billet:admin-token";
const root = document.documentElement;
const s = adminStrings(root.lang);
const dates = new Intl.DateTimeFormat(root.lang || undefined, { dateStyle: "medium", timeStyle: "short", timeZone: root.dataset.timezone || undefined });

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

const ui = {
  login: byId<HTMLFormElement>("login"),
  token: byId<HTMLInputElement>("token"),
  tokenError: byId("token-error"),
  signIn: byId<HTMLButtonElement>("sign-in"),
  logout: byId<HTMLButtonElement>("logout"),
  app: byId("app"),
  tabs: [...document.querySelectorAll<HTMLAnchorElement>("a[data-tab]")],
  post: byId<HTMLSelectElement>("post-filter"),
  title: byId("list-title"),
  name: byId("list-name"),
  count: byId("list-count"),
  selectAll: byId<HTMLInputElement>("select-all"),
  selected: byId("selected-count"),
  bulkBar: byId("bulk"),
  bulk: [...document.querySelectorAll<HTMLButtonElement>("button[data-bulk]")],
  list: byId<HTMLOListElement>("list"),
  empty: byId("empty"),
  more: byId<HTMLButtonElement>("more"),
  status: byId("status"),
  alert: byId("alert"),
};

const postTitles = new Map([...ui.post.options].filter((o) => o.value).map((o) => [o.value, o.text]));
const items = new Map<number, Item>();
const state = { status: statusFromHash(location.hash), post: "", cursor: null as string | null, generation: 0 };

// ---- the token -----------------------------------------------------------------------------

let token: string | null = null;
try {
  token = sessionStorage.getItem(TOKEN_KEY);
} catch {
  // Storage refused: the token lives only as long as the page.
}

function keepToken(value: string | null): void {
  token = value;
  try {
    if (value === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, value);
  } catch {
    // as above
  }
}

// ---- the API -------------------------------------------------------------------------------

async function api<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown, with_ = token): Promise<T | null> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${with_ ?? ""}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    throw new ApiFailure(0, "network", "The network did not answer.");
  }
  if (res.status === 204) return null;
  let data: { error?: { code?: string; message?: string } } | null = null;
  try {
    data = await res.json();
  } catch {
    // not JSON: the status says enough
  }
  if (!res.ok) throw new ApiFailure(res.status, data?.error?.code ?? "", data?.error?.message ?? "");
  return data as T;
}

// ---- messages ------------------------------------------------------------------------------

/**
 * Says what happened, politely. What the screen already shows (a tab's contents) is for screen
 * readers only; what an action did is shown too, as the item it was about has left the list.
 */
function announce(text: string, shown = true): void {
  ui.status.classList.toggle("visually-hidden", !shown);
  // A change of text is what a polite live region reads; the same text twice must still be read.
  ui.status.textContent = ui.status.textContent === text ? `${text}\u00a0` : text;
}

function showError(text: string): void {
  ui.alert.textContent = text;
}

function clearError(): void {
  ui.alert.textContent = "";
}

/** A failure: a refused token asks for it again; anything else is said in the alert. */
function fail(err: unknown, label?: string): void {
  if (err instanceof ApiFailure && err.status === 401) {
    signedOut(s.tokenExpired);
    return;
  }
  const words = failureWords(err, s);
  showError(label ? s.about(label, words) : words);
}

// ---- signing in and out --------------------------------------------------------------------

function tokenError(text: string): void {
  ui.tokenError.textContent = text;
  if (text) {
    ui.token.setAttribute("aria-invalid", "true");
    ui.token.focus();
    ui.token.select();
  } else {
    ui.token.removeAttribute("aria-invalid");
  }
}

function signedOut(message: string): void {
  keepToken(null);
  state.generation++;
  clearList();
  clearError();
  ui.app.hidden = true;
  ui.logout.hidden = true;
  ui.login.hidden = false;
  if (message) tokenError(message);
  else {
    tokenError("");
    ui.token.focus();
  }
}

function signedIn(): void {
  ui.login.hidden = true;
  ui.app.hidden = false;
  ui.logout.hidden = false;
  tokenError("");
}

ui.login.addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = ui.token.value.trim();
  if (!value) return tokenError(s.tokenRequired);
  // A header value can only be printable ASCII; anything else cannot be the token.
  if (!/^[\x21-\x7e]+$/.test(value)) return tokenError(s.tokenWrong);
  ui.signIn.setAttribute("aria-disabled", "true");
  try {
    // Trying the token is the first page of the current tab.
    const gen = ++state.generation;
    const page = await api<ListAnswer>("GET", listPath(state.status, state.post, null), undefined, value);
    keepToken(value);
    ui.token.value = "";
    signedIn();
    showList(gen, page!);
    ui.title.focus();
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) tokenError(s.tokenWrong);
    else tokenError(failureWords(err, s));
  } finally {
    ui.signIn.removeAttribute("aria-disabled");
  }
});

ui.logout.addEventListener("click", () => {
  signedOut("");
  announce(s.loggedOut);
});

// ---- the list ------------------------------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function clearList(): void {
  items.clear();
  ui.list.replaceChildren();
  state.cursor = null;
  ui.more.hidden = true;
  ui.empty.hidden = true;
  refresh();
}

/** One comment, as the moderator needs it: where, who, when, why held, what, and what to do. */
function renderItem(c: AdminComment): Item {
  const label = s.label(c.id, c.author.name);
  const titleId = `c${c.id}-title`;
  const li = el("li", "item");
  li.dataset.id = String(c.id);
  const card = el("article", "card");
  card.setAttribute("aria-labelledby", titleId);

  const head = el("div", "card-head");
  const box = el("input", "pick");
  box.type = "checkbox";
  box.value = String(c.id);
  box.setAttribute("aria-label", s.select(label));
  box.addEventListener("change", refresh);
  const title = el("h3", "card-title");
  title.id = titleId;
  title.tabIndex = -1;
  title.append(el("span", "author", c.author.name), " ", el("span", "num", `#${c.id}`));
  head.append(box, title);

  const meta = el("p", "meta");
  const post = el("a", "post", postTitles.get(c.post_slug) ?? c.post_slug);
  post.href = commentLink(c.post_slug, c.id);
  const time = el("time", undefined, dates.format(new Date(c.created_at)));
  time.dateTime = c.created_at;
  meta.append(post, " · ", time);
  if (c.edited_at) meta.append(" · ", el("span", undefined, s.edited));
  if (c.parent_id !== null) {
    const parent = el("a", undefined, s.replyTo(c.parent_id));
    parent.href = commentLink(c.post_slug, c.parent_id);
    meta.append(" · ", parent);
  }

  const contact = el("p", "contact");
  if (c.author.email) {
    const mail = el("a", undefined, c.author.email);
    mail.href = `mailto:${c.author.email}`;
    contact.append(mail);
  }
  if (c.author.url) {
    if (contact.childNodes.length) contact.append(" · ");
    const href = safeWebsite(c.author.url);
    if (href) {
      const site = el("a", undefined, c.author.url.replace(/^https?:\/\//, "").replace(/\/$/, ""));
      site.href = href;
      site.rel = "nofollow ugc noopener noreferrer";
      contact.append(site);
    } else {
      contact.append(c.author.url);
    }
  }
  if (c.ip_hash) {
    if (contact.childNodes.length) contact.append(" · ");
    const hash = el("span", "hash", `${s.ipHash} ${c.ip_hash.slice(0, 8)}`);
    hash.title = c.ip_hash;
    contact.append(hash);
  }

  const parts: Node[] = [head, meta];
  if (contact.childNodes.length) parts.push(contact);
  const why = c.status === "pending" || c.status === "spam" ? heldForWords(c.held_for, s) : null;
  if (why) {
    const held = el("p", "held");
    held.append(el("strong", undefined, s.reason), " ", why);
    parts.push(held);
  }
  const body = el("div", "body");
  body.innerHTML = c.html; // rendered safe by the server (markdown-it, safe mode)
  parts.push(body);

  const actions = el("div", "actions");
  actions.setAttribute("role", "group");
  actions.setAttribute("aria-label", s.actionsFor(label));
  for (const action of actionsFor(c.status)) {
    const button = el("button", `act act-${action}`, s.actions[action]);
    button.type = "button";
    button.dataset.action = action;
    button.addEventListener("click", () => void act(c.id, action));
    actions.append(button);
  }
  parts.push(actions);
  card.append(...parts);
  li.append(card);
  return { comment: c, li, box, label };
}

/** Counts, the empty message, "select all" and the selection's count after any change. */
function refresh(): void {
  const all = [...items.values()];
  const picked = all.filter((i) => i.box.checked).length;
  ui.count.textContent = all.length || state.cursor ? `(${all.length}${state.cursor ? "+" : ""})` : "(0)";
  ui.empty.hidden = all.length > 0 || state.cursor !== null;
  ui.selectAll.checked = all.length > 0 && picked === all.length;
  ui.selectAll.indeterminate = picked > 0 && picked < all.length;
  ui.selectAll.disabled = all.length === 0;
  ui.selected.textContent = s.selected(picked);
  ui.bulkBar.classList.toggle("picking", picked > 0);
  for (const b of ui.bulk) {
    if (picked) b.removeAttribute("aria-disabled");
    else b.setAttribute("aria-disabled", "true");
  }
}

function appendPage(page: ListAnswer): number {
  let added = 0;
  for (const c of page.comments) {
    if (items.has(c.id)) continue;
    const item = renderItem(c);
    items.set(c.id, item);
    ui.list.append(item.li);
    added++;
  }
  state.cursor = page.meta.next_cursor;
  ui.more.hidden = state.cursor === null;
  refresh();
  return added;
}

/** The tab's first page arrived: it replaces the list. */
function showList(gen: number, page: ListAnswer): void {
  if (gen !== state.generation) return;
  items.clear();
  ui.list.replaceChildren();
  appendPage(page);
  announce(s.listed(s.tabs[state.status], items.size, state.cursor !== null), false);
}

function showTab(): void {
  ui.name.textContent = s.tabs[state.status];
  for (const a of ui.tabs) {
    if (a.dataset.tab === state.status) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  // The selection's buttons: those that fit the tab, in the order each comment shows them.
  const offered = bulkActionsFor(state.status);
  for (const b of ui.bulk) b.hidden = !offered.includes(b.dataset.bulk as Action);
  for (const action of offered) {
    const button = ui.bulk.find((b) => b.dataset.bulk === action);
    if (button) button.parentElement?.append(button);
  }
  ui.empty.textContent = s.empty[state.status];
}

/** How many comments each tab holds, next to its name. */
async function updateCounts(): Promise<void> {
  try {
    const counts = await api<Record<string, number>>("GET", "/api/admin/comments/counts");
    if (!counts) return;
    for (const a of ui.tabs) {
      const n = counts[a.dataset.tab ?? ""];
      a.textContent = typeof n === "number" ? `${s.tabs[a.dataset.tab as keyof typeof s.tabs]} (${n})` : s.tabs[a.dataset.tab as keyof typeof s.tabs];
    }
  } catch {
    // The tabs keep their plain names.
  }
}

async function loadList(): Promise<void> {
  void updateCounts();
  const gen = ++state.generation;
  clearError();
  showTab();
  clearList();
  ui.list.setAttribute("aria-busy", "true");
  try {
    showList(gen, (await api<ListAnswer>("GET", listPath(state.status, state.post, null)))!);
  } catch (err) {
    if (gen === state.generation) fail(err);
  } finally {
    if (gen === state.generation) ui.list.removeAttribute("aria-busy");
  }
}

async function loadMore(quiet = false): Promise<void> {
  const gen = state.generation;
  const cursor = state.cursor;
  if (!cursor || ui.more.getAttribute("aria-disabled")) return;
  ui.more.setAttribute("aria-disabled", "true");
  ui.more.textContent = s.loading;
  try {
    const page = (await api<ListAnswer>("GET", listPath(state.status, state.post, cursor)))!;
    if (gen !== state.generation) return;
    const added = appendPage(page);
    if (!quiet) announce(s.loadedMore(added), false);
  } catch (err) {
    if (gen === state.generation) fail(err);
  } finally {
    ui.more.removeAttribute("aria-disabled");
    ui.more.textContent = s.loadMore;
  }
}

/**
 * Takes comments out of the list once they have left this state. If the focus was in one of them,
 * it goes to the next comment (its button for the same action, so a run of approvals is a run of
 * Enter presses), else the previous one, else the list's heading.
 */
function removeItems(ids: number[], action?: Action): void {
  void updateCounts();
  const gone = new Set(ids);
  const order = [...items.keys()];
  const active = document.activeElement;
  const focusWasIn = ids.some((id) => items.get(id)?.li.contains(active));
  let target: Item | undefined;
  if (focusWasIn) {
    const first = order.findIndex((id) => gone.has(id));
    const after = order.slice(first + 1).find((id) => !gone.has(id));
    const before = order.slice(0, first).reverse().find((id) => !gone.has(id));
    target = items.get(after ?? before ?? -1);
  }
  for (const id of ids) {
    items.get(id)?.li.remove();
    items.delete(id);
  }
  refresh();
  if (focusWasIn) {
    const button = action && target?.li.querySelector<HTMLButtonElement>(`button[data-action="${action}"]`);
    (button || target?.li.querySelector<HTMLElement>(".card-title") || ui.title).focus();
  }
  // The loaded page is done but more wait: fetch them rather than show an empty list.
  if (items.size === 0 && state.cursor) void loadMore(true);
}

function setBusy(item: Item, busy: boolean): void {
  item.li.classList.toggle("busy", busy);
  for (const b of item.li.querySelectorAll<HTMLButtonElement>("button[data-action]")) {
    if (busy) b.setAttribute("aria-disabled", "true");
    else b.removeAttribute("aria-disabled");
  }
}

async function act(id: number, action: Action): Promise<void> {
  const item = items.get(id);
  if (!item || item.li.classList.contains("busy")) return;
  if (action === "purge" && !window.confirm(s.confirmPurge(item.label))) return;
  clearError();
  setBusy(item, true);
  const gen = state.generation;
  try {
    const request = actionRequest(id, action);
    await api(request.method, request.path);
    if (gen !== state.generation) return;
    removeItems([id], action);
    announce(s.doneOne(action, item.label));
  } catch (err) {
    setBusy(item, false);
    if (gen !== state.generation) return;
    if (err instanceof ApiFailure && err.status === 404) removeItems([id], action);
    fail(err, item.label);
  }
}

async function bulk(action: Action): Promise<void> {
  const picked = [...items.values()].filter((i) => i.box.checked);
  if (!picked.length) {
    announce(s.selectFirst);
    return;
  }
  if (action === "purge" && !window.confirm(s.confirmPurgeMany(picked.length))) return;
  clearError();
  const gen = state.generation;
  const done: number[] = [];
  let failure: unknown = null;
  picked.forEach((i) => setBusy(i, true));
  for (const ids of chunks(picked.map((i) => i.comment.id))) {
    try {
      // Ids missing from `updated` no longer exist: they leave the list as well.
      await api<{ updated: number[] }>("POST", "/api/admin/comments/bulk", { ids, action });
      done.push(...ids);
    } catch (err) {
      failure = err;
      break;
    }
  }
  if (gen !== state.generation) return;
  picked.forEach((i) => setBusy(i, false));
  removeItems(done, action);
  if (done.length) announce(s.doneMany(action, done.length));
  if (failure) fail(failure);
}

// ---- wiring --------------------------------------------------------------------------------

ui.selectAll.addEventListener("change", () => {
  for (const item of items.values()) item.box.checked = ui.selectAll.checked;
  refresh();
});
for (const b of ui.bulk) b.addEventListener("click", () => void bulk(b.dataset.bulk as Action));
ui.more.addEventListener("click", () => void loadMore());
ui.post.addEventListener("change", () => {
  state.post = ui.post.value;
  if (token) void loadList();
});
window.addEventListener("hashchange", () => {
  state.status = statusFromHash(location.hash) as Status;
  if (token) void loadList();
  else showTab();
});

showTab();
refresh();
if (token) {
  signedIn();
  void loadList();
} else {
  ui.login.hidden = false;
}
