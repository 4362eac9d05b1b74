// The no-JS page where a commenter edits or deletes their own comment while the edit window runs
// (/comments/<id>/edit): the text in a form like the comment form's, and a second form to delete.
import { escapeHtml } from "./html.ts";
import { ownPageStringsFor, stringsFor } from "./strings.ts";

export interface OwnPageInput {
  lang: string;
  siteTitle: string;
  /** Said at the top: why the page cannot be used, or what went wrong with the last try. */
  message?: string;
  edit?: {
    id: number;
    slug: string;
    content: string;
    /** When the window ends, as the page says it, and the minutes left. */
    until: string;
    minutesLeft: number;
    /** The field's error code (as the API gives it), if the last try was refused for the text. */
    error?: string;
  };
}

export function renderOwnPage(input: OwnPageInput): string {
  const s = stringsFor(input.lang);
  const o = ownPageStringsFor(input.lang);
  const e = input.edit;
  const message = input.message ? `<p class="form-message" role="alert">${escapeHtml(input.message)}</p>` : "";
  let body = "";
  // Without a comment to change, the site's title at the top leads back.
  if (e) {
    const described = `billet-content-hint${e.error ? " billet-content-error" : ""}`;
    body =
      `<p>${escapeHtml(o.until(e.until, e.minutesLeft))}</p>` +
      `<form class="comment-form" method="post" action="/api/comments/${e.id}/edit">` +
      `<p class="field field-content"><label for="billet-content">${escapeHtml(s.comment)} <span class="required">(${escapeHtml(s.required)})</span></label>` +
      `<small id="billet-content-hint">${escapeHtml(s.commentHint)}</small>` +
      `<textarea id="billet-content" name="content" rows="8" required aria-describedby="${described}"${e.error ? ' aria-invalid="true" autofocus' : ""}>${escapeHtml(e.content)}</textarea>` +
      `<strong class="field-error" id="billet-content-error"${e.error ? "" : " hidden"}>${escapeHtml(e.error ? (s.fieldErrors[e.error] ?? s.fieldErrors.invalid) : "")}</strong></p>` +
      `<p><button type="submit">${escapeHtml(s.own.save)}</button></p></form>` +
      `<h2>${escapeHtml(o.deleteTitle)}</h2>` +
      `<form method="post" action="/api/comments/${e.id}/delete"><p><button type="submit" class="own-delete">${escapeHtml(s.own.delete)}</button></p></form>` +
      `<p><a href="/posts/${escapeHtml(e.slug)}/#comment-${e.id}">${escapeHtml(o.back)}</a></p>`;
  }
  return `<!doctype html>
<html lang="${escapeHtml(input.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(o.pageTitle)} · ${escapeHtml(input.siteTitle)}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/billet.css">
</head>
<body>
<main id="main" class="link-page">
<p class="site-title"><a href="/">${escapeHtml(input.siteTitle)}</a></p>
<h1>${escapeHtml(o.pageTitle)}</h1>
${message}${body}
</main>
</body>
</html>
`;
}
