// The moderation page (/admin/): the admin JSON API in a browser, so the author needs no curl.
// The page's fixed parts are written by the build (scripts/admin-page.ts); this script signs in
// with the admin token (kept in sessionStorage), lists comments by state (searched, filtered by
// post), acts on them with buttons or one-key shortcuts, undoes the last action, and opens the
// desk's other views (desk.ts): blocks, the log, a commenter's data.
// Everything a commenter wrote goes in as text, except `html`, which the server rendered safe.
import { replyDisclosure } from "./reply.ts";
import { blockDisclosure, blocksView, leaveViews, logView, privacyView, type DeskView as View } from "./desk.ts";
import {
  actionRequest,
  actionsFor,
  ApiFailure,
  bulkActionsFor,
  chunks,
  commentLink,
  failureWords,
  formatScore,
  listPath,
  lookupPath,
  normalSearch,
  routeFromHash,
  safeWebsite,
  shortcutFor,
  STATUSES,
  undoActions,
  whyWords,
  type AdminComment,
  type Route,
  type Shortcut,
} from "./logic.ts";
import { ACCESS_SESSION, announce, api, byId, clearError, currentToken, el, fail, keepToken, lang, onUnauthorized, s, when } from "./page.ts";
import type { Action, DeskView, Status } from "./strings.ts";

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

/** The last action, to undo: which comments, from which state, and which list showed them. */
interface Done {
  action: Action;
  from: Status;
  comments: AdminComment[];
  labels: string[];
  view: string;
}

const ui = {
  login: byId<HTMLFormElement>("login"),
  token: byId<HTMLInputElement>("token"),
  tokenError: byId("token-error"),
  signIn: byId<HTMLButtonElement>("sign-in"),
  logout: byId<HTMLButtonElement>("logout"),
  app: byId("app"),
  tabs: [...document.querySelectorAll<HTMLAnchorElement>("a[data-tab]")],
  tools: [...document.querySelectorAll<HTMLAnchorElement>("a[data-view]")],
  post: byId<HTMLSelectElement>("post-filter"),
  site: byId<HTMLSelectElement>("site-filter"),
  listView: byId("list-view"),
  sections: { blocks: byId("blocks-view"), log: byId("log-view"), privacy: byId("privacy-view") } as Record<DeskView, HTMLElement>,
  search: byId<HTMLFormElement>("search"),
  searchInput: byId<HTMLInputElement>("search-input"),
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
  help: byId<HTMLDialogElement>("shortcuts"),
  helpOpen: byId<HTMLButtonElement>("shortcuts-open"),
  helpClose: byId<HTMLButtonElement>("shortcuts-close"),
  undo: byId<HTMLButtonElement>("undo"),
};

const views: Record<DeskView, View> = { blocks: blocksView, log: logView, privacy: privacyView };
const postTitles = new Map([...ui.post.options].filter((o) => o.value).map((o) => [o.value, o.text]));
const items = new Map<number, Item>();
const firstRoute = routeFromHash(location.hash);
const state = {
  route: firstRoute as Route,
  /** The state listed (or, for one comment, the state it was found in). */
  status: (firstRoute.view === "list" ? firstRoute.status : "pending") as Status,
  post: "",
  site: "",
  /** Each tab keeps its own search. */
  search: { pending: "", approved: "", spam: "", deleted: "" } as Record<Status, string>,
  cursor: null as string | null,
  generation: 0,
  /** The comment j, k and the action keys are about when the focus is not in one. */
  current: null as number | null,
};
let lastDone: Done | null = null;

/** What the list shows, to know whether an undone comment comes back into it. */
function viewKey(): string {
  const r = state.route;
  return r.view === "comment" ? `comment ${r.id}` : r.view === "list" ? `list ${r.status} ${state.post} ${state.site} ${state.search[r.status]}` : r.view;
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
  leaveViews();
  clearList();
  for (const v of Object.values(views)) v.clear();
  remember(null);
  if (ui.help.open) ui.help.close();
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
onUnauthorized(signedOut);

function signedIn(): void {
  // The author's cookie: the blog's own comment form then offers to post as the author, with the badge.
  void api("POST", "/api/admin/session").catch(() => undefined);
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
    // Trying the token is the first page of the current tab (the counts, for the other views).
    const gen = ++state.generation;
    const route = state.route;
    const first = route.view === "list" ? listPath(route.status, state.post, null, 50, state.search[route.status], state.site) : "/api/admin/comments/counts";
    const page = await api<ListAnswer>("GET", first, undefined, value);
    keepToken(value);
    ui.token.value = "";
    signedIn();
    if (route.view === "list") {
      showView();
      showList(gen, page!);
      ui.title.focus();
      void updateCounts();
    } else {
      void loadView(true);
    }
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) tokenError(s.tokenWrong);
    else tokenError(failureWords(err, s));
  } finally {
    ui.signIn.removeAttribute("aria-disabled");
  }
});

ui.logout.addEventListener("click", () => {
  void fetch("/api/admin/session", { method: "DELETE", credentials: "same-origin" }).catch(() => undefined);
  signedOut("");
  announce(s.loggedOut);
});

// ---- the list ------------------------------------------------------------------------------

function clearList(): void {
  items.clear();
  ui.list.replaceChildren();
  state.cursor = null;
  state.current = null;
  ui.more.hidden = true;
  ui.empty.hidden = true;
  refresh();
}

/** The filter's score, discreetly, and what it learned from a decision (when there is one). */
function scoreWords(c: AdminComment): string | null {
  const parts: string[] = [];
  if (typeof c.spam_score === "number" && c.held_for !== "filter") parts.push(s.spamScore(formatScore(c.spam_score, lang)));
  if (c.trained_as) parts.push(s.trainedAs[c.trained_as]);
  return parts.length ? parts.join(" · ") : null;
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
  // A comment on another site's page names that page (its title and host) and links to it.
  const outside = c.page ? `${c.page.title || c.page.url} (${new URL(c.page.url).host})` : null;
  const post = el("a", "post", postTitles.get(c.post_slug) ?? outside ?? c.post_slug);
  post.href = c.page ? `${c.page.url}#comment-${c.id}` : commentLink(c.post_slug, c.id);
  const time = el("time", undefined, when(c.created_at));
  time.dateTime = c.created_at;
  meta.append(post, " · ", time);
  if (c.edited_at) meta.append(" · ", el("span", undefined, s.edited));
  if (c.parent_id !== null) {
    const parent = el("a", undefined, s.replyTo(c.parent_id));
    parent.href = commentLink(c.post_slug, c.parent_id);
    meta.append(" · ", parent);
  }
  const score = scoreWords(c);
  if (score) meta.append(" · ", el("span", "score", score));

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
  const why = whyWords(c, s, lang);
  if (why) {
    const held = el("p", c.held_for === "filter" || c.held_for?.split(":")[0] === "blocked" ? "held held--spam" : "held");
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
    const key = KEYS[action];
    if (key) button.setAttribute("aria-keyshortcuts", key);
    button.addEventListener("click", () => void act(c.id, action));
    actions.append(button);
  }
  if (c.status === "approved") actions.append(pinButton(c, label));
  parts.push(actions);
  // Answering a comment that waits publishes it: it leaves the pending list.
  const reply = replyDisclosure(c, label, (answered) => {
    if (answered.status === "pending" && state.status === "pending") removeItems([answered.id]);
  });
  if (reply) parts.push(reply);
  const block = blockDisclosure(c, label);
  if (block) parts.push(block);
  card.append(...parts);
  li.append(card);
  return { comment: c, li, box, label };
}

/** Pins the comment's thread to the top of its post, or unpins it (a toggle: aria-pressed says which). */
function pinButton(c: AdminComment, label: string): HTMLButtonElement {
  const button = el("button", "act act-pin", s.pin);
  button.type = "button";
  const show = () => button.setAttribute("aria-pressed", String(Boolean(c.pinned)));
  show();
  button.addEventListener("click", async () => {
    clearError();
    try {
      await api("POST", `/api/admin/comments/${c.id}/${c.pinned ? "unpin" : "pin"}`);
      c.pinned = !c.pinned;
      show();
      announce(s.pinned(label, c.pinned));
    } catch (err) {
      fail(err);
    }
  });
  return button;
}

/** The one-key shortcut of each action, shown to assistive technologies on its button. */
const KEYS: Partial<Record<Action, string>> = { approve: "a", spam: "s", delete: "d" };

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

/** The listed comments' ids, in the list's order (newest first). */
function listOrder(): number[] {
  return [...ui.list.children].map((li) => Number((li as HTMLElement).dataset.id)).filter((id) => items.has(id));
}

/** Puts an item in the list at its place: newest (highest id) first. */
function place(item: Item): void {
  items.set(item.comment.id, item);
  const after = [...items.values()].filter((i) => i.comment.id < item.comment.id && i.li.isConnected).sort((a, b) => b.comment.id - a.comment.id)[0];
  if (after) ui.list.insertBefore(item.li, after.li);
  else ui.list.append(item.li);
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

/** The list's name: the tab, its search, or the one comment shown. */
function listName(): string {
  const r = state.route;
  if (r.view === "comment") return s.commentTitle(r.id, items.has(r.id) ? s.tabs[state.status] : null);
  const q = state.search[state.status];
  return q ? s.searchTitle(s.tabs[state.status], q) : s.tabs[state.status];
}

/** The tab's first page arrived: it replaces the list. */
function showList(gen: number, page: ListAnswer): void {
  if (gen !== state.generation) return;
  items.clear();
  ui.list.replaceChildren();
  appendPage(page);
  announce(s.listed(listName(), items.size, state.cursor !== null), false);
}

/** Shows the route's section, marks its tab, and sets the list's heading, buttons and empty text. */
function showView(): void {
  const r = state.route;
  ui.app.dataset.view = r.view === "comment" ? "comment" : r.view === "list" ? "list" : r.view;
  ui.listView.hidden = r.view !== "list" && r.view !== "comment";
  for (const [name, section] of Object.entries(ui.sections)) section.hidden = r.view !== name;
  for (const a of ui.tabs) {
    if (r.view === "list" && a.dataset.tab === state.status) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  for (const a of ui.tools) {
    if (a.dataset.view === r.view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (r.view !== "list" && r.view !== "comment") return;
  ui.name.textContent = listName();
  ui.searchInput.value = state.search[state.status];
  // The selection's buttons: those that fit the tab, in the order each comment shows them.
  const offered = bulkActionsFor(state.status);
  for (const b of ui.bulk) b.hidden = !offered.includes(b.dataset.bulk as Action);
  for (const action of offered) {
    const button = ui.bulk.find((b) => b.dataset.bulk === action);
    if (button) button.parentElement?.append(button);
  }
  const q = state.search[state.status];
  ui.empty.textContent = r.view === "comment" ? s.commentGone(r.id) : q ? s.emptySearch(q) : s.empty[state.status];
}

/** How many comments each tab holds, next to its name. */
async function updateCounts(): Promise<void> {
  try {
    const counts = await api<Record<string, number>>("GET", "/api/admin/comments/counts");
    if (!counts) return;
    for (const a of ui.tabs) {
      const n = counts[a.dataset.tab ?? ""];
      a.textContent = typeof n === "number" ? `${s.tabs[a.dataset.tab as Status]} (${n})` : s.tabs[a.dataset.tab as Status];
    }
  } catch {
    // The tabs keep their plain names.
  }
}

/** Shows what the address names: a tab, one comment, or a desk view (its heading focused if `focus`). */
async function loadView(focus = false): Promise<void> {
  const r = state.route;
  clearError();
  leaveViews();
  if (r.view === "list") return loadList(focus);
  if (r.view === "comment") return loadComment(r.id, focus);
  state.generation++;
  clearList();
  showView();
  void updateCounts();
  await views[r.view].load(focus);
}

async function loadList(focus = false): Promise<void> {
  void updateCounts();
  const gen = ++state.generation;
  clearError();
  clearList();
  showView();
  // Nothing to say about an empty list before the answer.
  ui.empty.hidden = true;
  if (focus) ui.title.focus();
  ui.list.setAttribute("aria-busy", "true");
  try {
    showList(gen, (await api<ListAnswer>("GET", listPath(state.status, state.post, null, 50, state.search[state.status], state.site)))!);
  } catch (err) {
    if (gen === state.generation) fail(err);
  } finally {
    if (gen === state.generation) ui.list.removeAttribute("aria-busy");
  }
}

/**
 * One comment, whatever its state (the log links to #comment-<id>): each state's list is asked for
 * the comment at that id. Shown with its state's actions; after an action it is shown again.
 */
async function loadComment(id: number, focus = false, quiet = false): Promise<void> {
  void updateCounts();
  const gen = ++state.generation;
  clearList();
  showView();
  ui.empty.hidden = true;
  if (focus) ui.title.focus();
  ui.list.setAttribute("aria-busy", "true");
  try {
    const answers = await Promise.all(STATUSES.map((st) => api<ListAnswer>("GET", lookupPath(st, id))));
    if (gen !== state.generation) return;
    const at = answers.findIndex((a) => a?.comments[0]?.id === id);
    if (at >= 0) {
      state.status = STATUSES[at];
      showView();
      showList(gen, { comments: [answers[at]!.comments[0]], meta: { next_cursor: null } });
    }
    showView();
    refresh();
    if (!quiet) announce(at >= 0 ? listName() : s.commentGone(id), false);
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
    const page = (await api<ListAnswer>("GET", listPath(state.status, state.post, cursor, 50, state.search[state.status], state.site)))!;
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

/** Marks the comment the keys are about (the focus, or the last one j or k went to). */
function setCurrent(id: number | null): void {
  if (state.current !== null) items.get(state.current)?.li.classList.remove("current");
  state.current = id;
  if (id !== null) items.get(id)?.li.classList.add("current");
}

function focusItem(id: number): void {
  const item = items.get(id);
  if (!item) return;
  setCurrent(id);
  item.li.querySelector<HTMLElement>(".card-title")?.focus();
}

/**
 * Takes comments out of the list once they have left this state. If the focus was in one of them,
 * it goes to the next comment (its button for the same action, so a run of approvals is a run of
 * Enter presses; its heading after a shortcut, so a run of j and a), else the previous one, else
 * the list's heading.
 */
function removeItems(ids: number[], action?: Action, toHeading = false): void {
  void updateCounts();
  const gone = new Set(ids);
  const order = listOrder();
  const active = document.activeElement;
  const focusWasIn = ids.some((id) => items.get(id)?.li.contains(active)) || (toHeading && ids.includes(state.current ?? -1));
  let target: Item | undefined;
  if (focusWasIn) {
    const first = order.findIndex((id) => gone.has(id));
    const after = order.slice(first + 1).find((id) => !gone.has(id));
    const before = order
      .slice(0, first)
      .reverse()
      .find((id) => !gone.has(id));
    target = items.get(after ?? before ?? -1);
  }
  if (state.current !== null && gone.has(state.current)) setCurrent(null);
  for (const id of ids) {
    items.get(id)?.li.remove();
    items.delete(id);
  }
  refresh();
  if (focusWasIn) {
    if (target) setCurrent(target.comment.id);
    const button = !toHeading && action && target?.li.querySelector<HTMLButtonElement>(`button[data-action="${action}"]`);
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

/** Keeps the last action for undo (null forgets it), and shows the Undo button when it can be. */
function remember(done: Done | null): void {
  lastDone = done;
  ui.undo.hidden = !done || done.action === "purge";
  // "Undo", and what it undoes for those who hear the button rather than see the message beside it.
  if (done)
    ui.undo.setAttribute(
      "aria-label",
      s.undoWhat(done.labels.length === 1 ? s.doneOne(done.action, done.labels[0]) : s.doneMany(done.action, done.labels.length)),
    );
  else ui.undo.removeAttribute("aria-label");
}

async function act(id: number, action: Action, byKey = false): Promise<void> {
  const item = items.get(id);
  if (!item || item.li.classList.contains("busy")) return;
  if (action === "purge" && !window.confirm(s.confirmPurge(item.label))) return;
  clearError();
  setBusy(item, true);
  const gen = state.generation;
  const from = item.comment.status;
  const view = viewKey();
  try {
    const request = actionRequest(id, action);
    await api(request.method, request.path);
    remember({ action, from, comments: [item.comment], labels: [item.label], view });
    if (gen !== state.generation) return;
    if (state.route.view === "comment") {
      const focusWasIn = item.li.contains(document.activeElement);
      await loadComment(id, false, true);
      if (focusWasIn) ui.title.focus();
    } else {
      removeItems([id], action, byKey);
    }
    announce(s.doneOne(action, item.label));
  } catch (err) {
    setBusy(item, false);
    if (gen !== state.generation) return;
    if (err instanceof ApiFailure && err.status === 404) removeItems([id], action, byKey);
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
  const from = state.status;
  const view = viewKey();
  const done: number[] = [];
  let failure: unknown = null;
  for (const i of picked) setBusy(i, true);
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
  if (done.length) {
    const acted = picked.filter((i) => done.includes(i.comment.id));
    remember({ action, from, comments: acted.map((i) => i.comment), labels: acted.map((i) => i.label), view });
  }
  if (gen !== state.generation) return;
  for (const i of picked) setBusy(i, false);
  if (state.route.view === "comment" && done.length) await loadComment(done[0], true, true);
  else removeItems(done, action);
  if (done.length) announce(s.doneMany(action, done.length));
  if (failure) fail(failure);
}

/** The comment as the server keeps it after being put back in `status` by undo. */
function restored(c: AdminComment, status: Status): AdminComment {
  return {
    ...c,
    status,
    held_for: status === "approved" ? null : "moderator",
    trained_as: status === "approved" ? "ham" : status === "spam" ? "spam" : null,
  };
}

/**
 * Undoes the last action: its comments go back where they were (to the queue through "pending",
 * which also makes the filter forget what the action taught it). A purge cannot be undone.
 */
async function undo(): Promise<void> {
  const done = lastDone;
  if (!done) return announce(s.nothingToUndo);
  const plan = undoActions(done.from, done.action);
  if (!plan) return announce(s.cannotUndoPurge);
  const ids = done.comments.map((c) => c.id);
  clearError();
  remember(null);
  try {
    for (const action of plan) {
      if (ids.length === 1) {
        const request = actionRequest(ids[0], action);
        await api(request.method, request.path);
      } else {
        for (const part of chunks(ids)) await api("POST", "/api/admin/comments/bulk", { ids: part, action });
      }
    }
  } catch (err) {
    remember(done);
    fail(err);
    return;
  }
  void updateCounts();
  // Back in the list it left, when that list is still the one shown.
  if (done.view === viewKey()) {
    if (state.route.view === "comment") {
      await loadComment(ids[0], true, true);
    } else {
      for (const c of done.comments) if (!items.has(c.id)) place(renderItem(restored(c, done.from)));
      refresh();
      const first = Math.max(...ids);
      if (items.has(first)) focusItem(first);
    }
  }
  announce(ids.length === 1 ? s.undone(done.labels[0], done.from) : s.undoneMany(ids.length, done.from));
}

// ---- keyboard shortcuts --------------------------------------------------------------------

/** The comment the keys act on: the one holding the focus, else the last one j or k went to. */
function focusedItem(): Item | undefined {
  const active = document.activeElement;
  for (const item of items.values()) if (item.li.contains(active)) return item;
  return state.current === null ? undefined : items.get(state.current);
}

async function move(step: 1 | -1): Promise<void> {
  let order = listOrder();
  if (!order.length) return;
  const current = focusedItem()?.comment.id;
  const at = current === undefined ? (step > 0 ? 0 : order.length - 1) : order.indexOf(current) + step;
  if (at < 0) return announce(s.firstOne);
  if (at >= order.length) {
    if (!state.cursor) return announce(s.lastOne);
    await loadMore(true);
    order = listOrder();
    if (at >= order.length) return;
  }
  focusItem(order[at]);
}

/**
 * Keys are only taken where the moderator reads the list: the page itself (nothing focused) or the
 * list's part of the page, never in a field, so typing and a screen reader's own keys elsewhere
 * are left alone.
 */
function takesKeys(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target === document.body || target === document.documentElement) return true;
  if (!ui.listView.contains(target) || target.isContentEditable) return false;
  if (target.closest("form")) return target instanceof HTMLInputElement && target.type === "checkbox" && !target.closest(".block-form");
  if (target instanceof HTMLInputElement) return target.type === "checkbox";
  return !(target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement);
}

const SHORTCUT_ACTIONS: Partial<Record<Shortcut, Action>> = { approve: "approve", spam: "spam", delete: "delete" };

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.isComposing || ui.app.hidden || ui.help.open) return;
  if (state.route.view !== "list" && state.route.view !== "comment") return;
  const shortcut = shortcutFor(event.key, { ctrl: event.ctrlKey, alt: event.altKey, meta: event.metaKey });
  if (!shortcut || !takesKeys(event.target)) return;
  event.preventDefault();
  if (shortcut === "next" || shortcut === "previous") return void move(shortcut === "next" ? 1 : -1);
  if (shortcut === "undo") return void undo();
  if (shortcut === "help") return openHelp();
  const action = SHORTCUT_ACTIONS[shortcut]!;
  const item = focusedItem();
  if (!item) return announce(s.pickFirst);
  if (!actionsFor(item.comment.status).includes(action)) return announce(s.notOffered(s.actions[action]));
  void act(item.comment.id, action, true);
});

let helpOpener: HTMLElement | null = null;

function openHelp(): void {
  if (ui.help.open) return;
  helpOpener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  ui.help.showModal();
  ui.helpClose.focus();
}

ui.helpOpen.addEventListener("click", openHelp);
ui.helpClose.addEventListener("click", () => ui.help.close());
// Closed by its button or Escape: the focus goes back where it was.
ui.help.addEventListener("close", () => {
  const back = helpOpener?.isConnected && helpOpener !== document.body ? helpOpener : ui.title;
  helpOpener = null;
  back.focus();
});
// A click on the backdrop (outside the dialog's box) closes it too.
ui.help.addEventListener("click", (event) => {
  if (event.target !== ui.help) return;
  const r = ui.help.getBoundingClientRect();
  if (event.clientX < r.left || event.clientX > r.right || event.clientY < r.top || event.clientY > r.bottom) ui.help.close();
});

// ---- wiring --------------------------------------------------------------------------------

ui.selectAll.addEventListener("change", () => {
  for (const item of items.values()) item.box.checked = ui.selectAll.checked;
  refresh();
});
for (const b of ui.bulk) b.addEventListener("click", () => void bulk(b.dataset.bulk as Action));
ui.more.addEventListener("click", () => void loadMore());
ui.undo.addEventListener("click", () => void undo());
ui.list.addEventListener("focusin", (event) => {
  const li = (event.target as Element).closest<HTMLElement>("li.item");
  if (li) setCurrent(Number(li.dataset.id));
});
ui.post.addEventListener("change", () => {
  state.post = ui.post.value;
  if (currentToken() && state.route.view === "list") void loadList();
});
ui.site.addEventListener("change", () => {
  state.site = ui.site.value;
  if (currentToken() && state.route.view === "list") void loadList();
});
// The site filter shows only when other sites' pages take comments (EMBED_SITES, from /api/config).
void fetch("/api/config")
  .then((res) => (res.ok ? (res.json() as Promise<{ embed_sites?: string[] }>) : null))
  .then((config) => {
    const sites = config?.embed_sites ?? [];
    for (const origin of sites) ui.site.append(new Option(origin.replace(/^https?:\/\//, ""), origin));
    if (sites.length) ui.site.closest("p")!.hidden = false;
  })
  .catch(() => undefined);
ui.search.addEventListener("submit", (event) => {
  event.preventDefault();
  if (state.route.view !== "list") return;
  state.search[state.status] = normalSearch(ui.searchInput.value);
  if (currentToken()) void loadList();
});
// Emptying the field (by hand, or with the field's own clear button or Escape) shows the whole tab again.
ui.searchInput.addEventListener("input", () => {
  if (state.route.view !== "list" || ui.searchInput.value.trim() !== "" || !state.search[state.status]) return;
  state.search[state.status] = "";
  if (currentToken()) void loadList();
});
window.addEventListener("hashchange", () => {
  state.route = routeFromHash(location.hash);
  if (state.route.view === "list") state.status = state.route.status;
  if (!currentToken()) return showView();
  // A link that the new view hides (one in the log, say) would leave the focus nowhere: the heading takes it.
  showView();
  const lost = document.activeElement instanceof HTMLElement && document.activeElement.closest("[hidden]") !== null;
  void loadView(lost || state.route.view === "comment");
});

showView();
refresh();
if (currentToken()) {
  signedIn();
  void loadView();
} else {
  ui.login.hidden = false;
  void accessSession();
}

/** Behind Cloudflare Access, the author is already signed in: the page starts without asking for a token. */
async function accessSession(): Promise<void> {
  try {
    await api("GET", "/api/admin/comments/counts", undefined, ACCESS_SESSION);
  } catch {
    return; // no Access session: the token it is
  }
  if (currentToken()) return;
  keepToken(ACCESS_SESSION);
  signedIn();
  void loadView();
}
