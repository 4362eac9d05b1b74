// The author's reply to a comment, from the moderation page: a disclosure under the comment's
// actions; the reply is published at once with the "Auteur" badge (a comment that waits is
// published with it). The server renders and checks it as any comment.
import type { AdminComment } from "./logic.ts";
import { announce, api, clearError, el, failedFields, fail, hiddenText, isBusy, s, setBusyButton } from "./page.ts";

/** Only a comment readers can see (or that waits) can be answered. */
export function replyDisclosure(c: AdminComment, label: string, replied: (c: AdminComment) => void): HTMLDetailsElement | null {
  if (c.status !== "approved" && c.status !== "pending") return null;
  const id = `c${c.id}-reply`;
  const details = el("details", "block-author author-reply");
  const summary = el("summary", undefined, s.replyAsAuthor);
  summary.append(hiddenText(` ${label}`));
  const form = el("form", "block-form");
  form.noValidate = true;
  const field = el("p", "field");
  const text = el("textarea");
  text.id = `${id}-text`;
  text.rows = 4;
  text.required = true;
  const labelEl = el("label", undefined, s.replyText);
  labelEl.htmlFor = text.id;
  field.append(labelEl, text);
  const error = el("p", "field-error");
  error.id = `${id}-error`;
  error.setAttribute("role", "alert");
  text.setAttribute("aria-describedby", error.id);
  const submit = el("button", "act act-reply", s.replySubmit);
  submit.type = "submit";
  form.append(field, error, submit);
  details.append(summary, form);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy(submit)) return;
    error.textContent = "";
    clearError();
    if (!text.value.trim()) {
      error.textContent = s.replyEmpty;
      text.focus();
      return;
    }
    setBusyButton(submit, true);
    try {
      await api("POST", `/api/admin/comments/${c.id}/reply`, { content: text.value });
      text.value = "";
      details.open = false;
      announce(s.replyPublished);
      replied(c);
      summary.focus();
    } catch (err) {
      if (failedFields(err).content) {
        error.textContent = s.replyEmpty;
        text.focus();
      } else fail(err, label);
    } finally {
      setBusyButton(submit, false);
    }
  });
  return details;
}
