// The author's desk beyond the lists of comments: blocking a commenter (from a comment, or by hand),
// the blocks in force, the log of every decision, and a commenter's data (export, erase).
import {
  actorWords,
  ApiFailure,
  auditActionWords,
  auditDetailWords,
  blockDays,
  blockKindsFor,
  blockValueShown,
  exportFileName,
  plausibleEmail,
  type AdminComment,
  type AuditEntry,
  type Block,
} from "./logic.ts";
import {
  announce,
  api,
  apiBlob,
  byId,
  clearError,
  day,
  el,
  fail,
  failedFields,
  fieldError,
  hiddenText,
  isBusy,
  saveFile,
  s,
  setBusyButton,
  when,
} from "./page.ts";
import type { BlockKind } from "./strings.ts";

const DURATIONS = ["7", "30", ""];

/** Says what a refused block was about, under the form (and on its field, when it has one). */
function blockRefused(err: unknown, error: HTMLElement, input: HTMLInputElement | null, label?: string): void {
  const fields = failedFields(err);
  if (err instanceof ApiFailure && err.status === 422) {
    const words = fields.kind === "missing" ? s.nothingToBlock : fields.value === "required" ? s.valueRequired : s.valueInvalid;
    if (input) {
      fieldError(input, error, words);
      input.focus();
    } else error.textContent = words;
    return;
  }
  fail(err, label);
}

function durationWords(days: number | undefined): string {
  return s.durations[days === undefined ? "" : String(days)] ?? String(days);
}

// ---- blocking a comment's author -----------------------------------------------------------

/**
 * A disclosure under a comment: block its author by what the comment has (email, network address,
 * website host), for 7 days, 30 days or for good, with a reason for the author's own memory.
 */
export function blockDisclosure(c: AdminComment, label: string): HTMLDetailsElement | null {
  const kinds = blockKindsFor(c);
  if (!kinds.length) return null;
  const id = `c${c.id}-block`;
  const details = el("details", "block-author");
  const summary = el("summary", undefined, s.blockAuthor);
  summary.append(hiddenText(s.blockAuthorOf(label)));
  const form = el("form", "block-form");
  form.noValidate = true;

  const by = el("fieldset");
  by.append(el("legend", undefined, s.blockBy));
  kinds.forEach(({ kind, shown }, i) => {
    const option = el("label", "choice");
    const radio = el("input");
    radio.type = "radio";
    radio.name = `${id}-kind`;
    radio.value = kind;
    radio.checked = i === 0;
    option.append(radio, " ", s.kindOf[kind](shown));
    by.append(option);
  });
  if (kinds.some((k) => k.kind === "network")) by.append(el("p", "hint", s.networkHint));

  const during = el("fieldset");
  during.append(el("legend", undefined, s.blockFor));
  for (const d of DURATIONS) {
    const option = el("label", "choice");
    const radio = el("input");
    radio.type = "radio";
    radio.name = `${id}-days`;
    radio.value = d;
    radio.checked = d === "30";
    option.append(radio, " ", s.durations[d]);
    during.append(option);
  }

  const reasonField = el("p", "field");
  const reasonLabel = el("label", undefined, s.blockReason);
  reasonLabel.htmlFor = `${id}-reason`;
  const reason = el("input");
  reason.type = "text";
  reason.id = `${id}-reason`;
  reason.maxLength = 200;
  reason.autocomplete = "off";
  reasonField.append(reasonLabel, reason);

  const error = el("p", "field-error");
  error.id = `${id}-error`;
  error.setAttribute("role", "alert");
  const submit = el("button", "act act-block", s.blockSubmit);
  submit.type = "submit";
  form.append(by, during, reasonField, error, submit);
  details.append(summary, form);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(submit)) return;
    const kind = (form.querySelector<HTMLInputElement>(`input[name="${id}-kind"]:checked`)?.value ?? kinds[0].kind) as BlockKind;
    const days = blockDays(form.querySelector<HTMLInputElement>(`input[name="${id}-days"]:checked`)?.value ?? "");
    const why = reason.value.trim();
    error.textContent = "";
    clearError();
    setBusyButton(submit, true);
    try {
      const answer = await api<{ block: Block }>("POST", "/api/admin/blocks", {
        kind,
        comment_id: c.id,
        ...(days ? { days } : {}),
        ...(why ? { reason: why } : {}),
      });
      const shown = kinds.find((k) => k.kind === kind)?.shown ?? "";
      announce(s.blockedDone(kind, answer ? blockValueShown(answer.block, s) : shown, durationWords(days)));
      reason.value = "";
      details.open = false;
      summary.focus();
    } catch (err) {
      blockRefused(err, error, null, label);
    } finally {
      setBusyButton(submit, false);
    }
  });
  return details;
}

// ---- the views -----------------------------------------------------------------------------

export interface DeskView {
  /** Shows the view's first page (its heading gets the focus when `focus`). */
  load(focus?: boolean): Promise<void>;
  /** Forgets what the view showed (signing out). */
  clear(): void;
}

/** A counter that tells an answer for a view left since from the current one. */
let generation = 0;

export function leaveViews(): void {
  generation++;
}

// ---- blocks --------------------------------------------------------------------------------

const blocksUi = {
  title: byId("blocks-title"),
  count: byId("blocks-count"),
  list: byId<HTMLUListElement>("blocks"),
  empty: byId("blocks-empty"),
  form: byId<HTMLFormElement>("add-block"),
  kind: byId<HTMLSelectElement>("block-kind"),
  value: byId<HTMLInputElement>("block-value"),
  hint: byId("block-value-hint"),
  error: byId("block-value-error"),
  days: byId<HTMLSelectElement>("block-days"),
  reason: byId<HTMLInputElement>("block-reason"),
  submit: byId<HTMLButtonElement>("block-submit"),
};

function blockRow(b: Block): HTMLLIElement {
  const li = el("li", "row");
  li.dataset.id = String(b.id);
  const what = blockValueShown(b, s);
  const head = el("p", "row-head");
  head.append(el("span", "tag", s.kinds[b.kind] ?? b.kind), " ", el("strong", "value", what));
  const meta = el("p", "meta");
  meta.append(b.until ? s.blockUntil(day(b.until)) : s.blockForGood, " · ", s.blockSince(day(b.created_at)));
  if (b.reason) meta.append(" · ", s.blockReasonShown(b.reason));
  const unblock = el("button", "act", s.unblock);
  unblock.type = "button";
  unblock.append(hiddenText(s.unblockWhat(what)));
  unblock.addEventListener("click", async () => {
    if (isBusy(unblock)) return;
    clearError();
    setBusyButton(unblock, true);
    try {
      await api("DELETE", `/api/admin/blocks/${b.id}`);
    } catch (err) {
      setBusyButton(unblock, false);
      if (!(err instanceof ApiFailure && err.status === 404)) return fail(err);
    }
    // Gone (or already gone): the focus goes to the next block, else the previous, else the heading.
    const next = (li.nextElementSibling ?? li.previousElementSibling)?.querySelector<HTMLButtonElement>("button");
    li.remove();
    showBlockCount();
    (next ?? blocksUi.title).focus();
    announce(s.unblocked(what));
  });
  li.append(head, meta, unblock);
  return li;
}

function showBlockCount(): void {
  const n = blocksUi.list.children.length;
  blocksUi.count.textContent = `(${n})`;
  blocksUi.empty.hidden = n > 0;
}

function showValueHint(): void {
  blocksUi.hint.textContent = s.valueHints[blocksUi.kind.value as BlockKind] ?? "";
  blocksUi.value.type = blocksUi.kind.value === "email" ? "email" : "text";
}

blocksUi.kind.addEventListener("change", () => {
  showValueHint();
  fieldError(blocksUi.value, blocksUi.error, "");
});
showValueHint();

blocksUi.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (isBusy(blocksUi.submit)) return;
  const kind = blocksUi.kind.value as BlockKind;
  const value = blocksUi.value.value.trim();
  if (!value) {
    fieldError(blocksUi.value, blocksUi.error, s.valueRequired);
    blocksUi.value.focus();
    return;
  }
  if (kind === "email" && !plausibleEmail(value)) {
    fieldError(blocksUi.value, blocksUi.error, s.emailInvalid);
    blocksUi.value.focus();
    return;
  }
  const days = blockDays(blocksUi.days.value);
  const reason = blocksUi.reason.value.trim();
  fieldError(blocksUi.value, blocksUi.error, "");
  clearError();
  setBusyButton(blocksUi.submit, true);
  try {
    const answer = await api<{ block: Block }>("POST", "/api/admin/blocks", { kind, value, ...(days ? { days } : {}), ...(reason ? { reason } : {}) });
    if (answer) {
      // Blocking again what is already blocked replaces that block: one row each.
      blocksUi.list.querySelector(`li[data-id="${answer.block.id}"]`)?.remove();
      blocksUi.list.prepend(blockRow(answer.block));
      showBlockCount();
      announce(s.blockedDone(kind, blockValueShown(answer.block, s), durationWords(days)));
    }
    blocksUi.value.value = "";
    blocksUi.reason.value = "";
    blocksUi.value.focus();
  } catch (err) {
    blockRefused(err, blocksUi.error, blocksUi.value);
  } finally {
    setBusyButton(blocksUi.submit, false);
  }
});

export const blocksView: DeskView = {
  async load(focus = false) {
    const gen = ++generation;
    blocksUi.list.replaceChildren();
    blocksUi.count.textContent = "";
    blocksUi.empty.hidden = true;
    blocksUi.list.setAttribute("aria-busy", "true");
    if (focus) blocksUi.title.focus();
    try {
      const answer = await api<{ blocks: Block[] }>("GET", "/api/admin/blocks");
      if (gen !== generation || !answer) return;
      blocksUi.list.replaceChildren(...answer.blocks.map(blockRow));
      showBlockCount();
    } catch (err) {
      if (gen === generation) fail(err);
    } finally {
      if (gen === generation) blocksUi.list.removeAttribute("aria-busy");
    }
  },
  clear() {
    blocksUi.list.replaceChildren();
    blocksUi.count.textContent = "";
    fieldError(blocksUi.value, blocksUi.error, "");
  },
};

// ---- the log -------------------------------------------------------------------------------

const MAX_IDS_SHOWN = 20;

const logUi = {
  title: byId("log-title"),
  list: byId<HTMLOListElement>("log"),
  empty: byId("log-empty"),
  more: byId<HTMLButtonElement>("log-more"),
};
let logCursor: string | null = null;

function logRow(e: AuditEntry): HTMLLIElement {
  const li = el("li", "row");
  li.dataset.id = String(e.id);
  const head = el("p", "row-head");
  head.append(el("strong", undefined, auditActionWords(e.action, s)));
  if (e.comment_ids.length) {
    head.append(" ", el("span", undefined, s.logOn(e.comment_ids.length)), " ");
    e.comment_ids.slice(0, MAX_IDS_SHOWN).forEach((id, i) => {
      if (i) head.append(", ");
      const a = el("a", undefined, `#${id}`);
      a.href = `#comment-${id}`;
      head.append(a);
    });
    if (e.comment_ids.length > MAX_IDS_SHOWN) head.append(" ", s.logMoreIds(e.comment_ids.length - MAX_IDS_SHOWN));
  }
  const detail = auditDetailWords(e.detail, s, day);
  if (detail) head.append(" · ", detail);
  const meta = el("p", "meta");
  const time = el("time", undefined, when(e.at));
  time.dateTime = e.at;
  meta.append(time, " · ", actorWords(e.actor, s));
  li.append(head, meta);
  return li;
}

function appendLog(entries: AuditEntry[], cursor: string | null): number {
  let added = 0;
  for (const e of entries) {
    if (logUi.list.querySelector(`li[data-id="${e.id}"]`)) continue;
    logUi.list.append(logRow(e));
    added++;
  }
  logCursor = cursor;
  logUi.more.hidden = cursor === null;
  logUi.empty.hidden = logUi.list.children.length > 0;
  return added;
}

function auditPath(cursor: string | null): string {
  return `/api/admin/audit?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
}

logUi.more.addEventListener("click", async () => {
  const gen = generation;
  if (!logCursor || isBusy(logUi.more)) return;
  setBusyButton(logUi.more, true);
  logUi.more.textContent = s.loading;
  try {
    const answer = await api<{ entries: AuditEntry[]; meta: { next_cursor: string | null } }>("GET", auditPath(logCursor));
    if (gen !== generation || !answer) return;
    announce(s.loadedMoreEntries(appendLog(answer.entries, answer.meta.next_cursor)), false);
  } catch (err) {
    if (gen === generation) fail(err);
  } finally {
    setBusyButton(logUi.more, false);
    logUi.more.textContent = s.loadMore;
  }
});

export const logView: DeskView = {
  async load(focus = false) {
    const gen = ++generation;
    logUi.list.replaceChildren();
    logUi.empty.hidden = true;
    logUi.more.hidden = true;
    logUi.list.setAttribute("aria-busy", "true");
    if (focus) logUi.title.focus();
    try {
      const answer = await api<{ entries: AuditEntry[]; meta: { next_cursor: string | null } }>("GET", auditPath(null));
      if (gen !== generation || !answer) return;
      appendLog(answer.entries, answer.meta.next_cursor);
      announce(s.logListed(logUi.list.children.length, logCursor !== null), false);
    } catch (err) {
      if (gen === generation) fail(err);
    } finally {
      if (gen === generation) logUi.list.removeAttribute("aria-busy");
    }
  },
  clear() {
    logUi.list.replaceChildren();
    logCursor = null;
    logUi.more.hidden = true;
  },
};

// ---- a commenter's data --------------------------------------------------------------------

const privacyUi = {
  title: byId("privacy-title"),
  form: byId<HTMLFormElement>("privacy"),
  email: byId<HTMLInputElement>("privacy-email"),
  error: byId("privacy-error"),
  exportButton: byId<HTMLButtonElement>("export"),
  erase: byId<HTMLButtonElement>("erase"),
};

/** The email typed, or null after saying what is wrong with it. */
function privacyEmail(): string | null {
  const email = privacyUi.email.value.trim().toLowerCase();
  if (!plausibleEmail(email)) {
    fieldError(privacyUi.email, privacyUi.error, s.emailInvalid);
    privacyUi.email.focus();
    return null;
  }
  fieldError(privacyUi.email, privacyUi.error, "");
  return email;
}

function privacyFailed(err: unknown): void {
  if (err instanceof ApiFailure && err.status === 400) {
    fieldError(privacyUi.email, privacyUi.error, s.emailInvalid);
    privacyUi.email.focus();
  } else fail(err);
}

// Enter in the field exports: it changes nothing.
privacyUi.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = privacyEmail();
  if (!email || isBusy(privacyUi.exportButton)) return;
  clearError();
  setBusyButton(privacyUi.exportButton, true);
  try {
    const blob = await apiBlob(`/api/admin/commenters?email=${encodeURIComponent(email)}`);
    let n = 0;
    try {
      n = (JSON.parse(await blob.text()) as { comments?: unknown[] }).comments?.length ?? 0;
    } catch {
      // The file is saved as it came.
    }
    const name = exportFileName(email);
    saveFile(new Blob([blob], { type: "application/json" }), name);
    announce(s.exported(name, n));
  } catch (err) {
    privacyFailed(err);
  } finally {
    setBusyButton(privacyUi.exportButton, false);
  }
});

privacyUi.erase.addEventListener("click", async () => {
  const email = privacyEmail();
  if (!email || isBusy(privacyUi.erase)) return;
  if (!window.confirm(s.confirmErase(email))) return;
  clearError();
  setBusyButton(privacyUi.erase, true);
  try {
    const answer = await api<{ erased: { comments: number; blocks: number } }>("DELETE", `/api/admin/commenters?email=${encodeURIComponent(email)}`);
    announce(s.erased(email, answer?.erased.comments ?? 0, answer?.erased.blocks ?? 0));
    privacyUi.email.value = "";
  } catch (err) {
    privacyFailed(err);
  } finally {
    setBusyButton(privacyUi.erase, false);
  }
});

export const privacyView: DeskView = {
  async load(focus = false) {
    ++generation;
    if (focus) privacyUi.title.focus();
  },
  clear() {
    privacyUi.email.value = "";
    fieldError(privacyUi.email, privacyUi.error, "");
  },
};
