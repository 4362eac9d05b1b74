// The words of billet's emails and of the small pages their links open, in French and English.
import { escapeHtml } from "./html.ts";

// Why a comment waits (comments.held_for), in words: the same as the moderation page says.
/** Why a comment waits, in words; the moderation page says the same (widget/admin/strings.ts). */
export const frReasons: Record<string, string> = {
  first_comment: "premier commentaire de cette personne",
  too_many_links: "trop de liens",
  honeypot: "champ piège rempli (robot probable)",
  filled_too_fast: "formulaire rempli trop vite (robot probable)",
  akismet: "signalé par Akismet",
  akismet_unavailable: "Akismet ne répondait pas",
  moderation_all: "tous les commentaires sont modérés",
  moderator: "votre décision",
  filter: "ressemble à du spam",
  blocked: "cette personne est bloquée",
  edited: "modifié après publication",
  other: "une règle du site",
};
export const enReasons: Record<string, string> = {
  first_comment: "this person’s first comment",
  too_many_links: "too many links",
  honeypot: "trap field filled in (likely a robot)",
  filled_too_fast: "form filled in too fast (likely a robot)",
  akismet: "flagged by Akismet",
  akismet_unavailable: "Akismet did not answer",
  moderation_all: "every comment is moderated",
  moderator: "your decision",
  filter: "looks like spam",
  blocked: "this person is blocked",
  edited: "edited after publication",
  other: "a rule of the site",
};
function heldReason(reasons: Record<string, string>, code: string, word: (w: string) => string): string {
  if (code.startsWith("word:")) return word(code.slice(5));
  return reasons[code] ?? reasons.other;
}

const fr = {
  /** Before a link in plain text: French puts a space before the colon. */
  colon: " : ",
  newComment: (name: string, title: string, waiting: boolean) => `${waiting ? "À modérer" : "Nouveau commentaire"} : ${name} sur « ${title} »`,
  digest: (n: number) => (n === 1 ? "1 commentaire attend votre décision" : `${n} commentaires attendent votre décision`),
  wrote: (name: string) => `${name} a écrit :`,
  digestItem: (n: number, name: string, title: string) => `${n}. ${name} sur « ${title} » :`,
  digestMore: (n: number, desk: string) =>
    `${n === 1 ? "Un autre commentaire attend" : `${n} autres commentaires attendent`} : ils viendront dans le prochain résumé, ou sur ${desk}`,
  digestReplyHow: "Commencez votre réponse par ok, spam ou supprimer suivis des numéros des commentaires (ok 1 3, spam 2) ; rien n’a changé.",
  digestReplyUnknown: (numbers: string) => `Ce résumé n’a pas de commentaire ${numbers} ; rien n’a changé.`,
  digestReplyHint:
    "Ou répondez à ce message, au-dessus de la citation, par exemple « ok 1 3, spam 2, supprimer 4 » (les numéros ci-dessus ; la référence ci-dessous doit rester dans la réponse).",
  heldFor: (why: string) => `Retenu : ${heldReason(frReasons, why, (w) => `contient « ${w} »`)}`,
  approve: "Publier",
  spam: "C’est du spam",
  delete: "Supprimer",
  replyHint:
    "Ou répondez à ce message par « ok », « spam » ou « supprimer », ou par « reply: » suivi de votre réponse, publiée sous ce commentaire avec le badge « Auteur » (la référence ci-dessous doit rester dans la réponse).",
  view: "Voir le billet",
  linkValid: "Ces liens marchent une fois, pendant 7 jours.",
  confirmSubject: (site: string) => `Confirmez pour être prévenu·e des réponses sur ${site}`,
  confirmBody: (site: string) =>
    `Vous avez demandé à être prévenu·e des réponses à votre commentaire sur ${site}. Confirmez votre adresse pour commencer ; sans confirmation, nous ne vous écrirons plus.`,
  confirm: "Confirmer mon adresse",
  replySubject: (name: string, title: string) => `${name} vous a répondu sur « ${title} »`,
  replyBody: (name: string) => `${name} a répondu à votre commentaire :`,
  stopThread: "Ne plus être prévenu·e pour ce fil",
  stopAll: "Ne plus rien recevoir de ce site",
  pageConfirmTitle: "Confirmer",
  pageDone: "C’est fait.",
  pageUsedTitle: "Lien déjà utilisé",
  pageUsed: "Ce lien a déjà servi ; rien n’a changé.",
  pageInvalidTitle: "Lien non valide",
  pageInvalid: "Ce lien n’est pas valide ou a expiré.",
  pageMissingTitle: "Commentaire introuvable",
  pageMissing: "Ce commentaire n’existe plus.",
  pageAlreadyTitle: "Déjà fait",
  pageUnchangedTitle: "Rien n’a changé",
  pageDuplicate: "Le même texte est déjà publié ou en attente sur ce billet ; rien n’a changé.",
  /** The comment is already where the link would put it (decided from the desk, or by a reply). */
  already: {
    approve: "Ce commentaire est déjà publié ; rien n’a changé.",
    spam: "Ce commentaire est déjà classé comme spam ; rien n’a changé.",
    delete: "Ce commentaire est déjà supprimé ; rien n’a changé.",
  } as Record<string, string>,
  /** Where a comment is now, when it was decided otherwise since the email. */
  nowIs: {
    approved: "Il a été publié depuis cet e-mail.",
    spam: "Il a été classé comme spam depuis cet e-mail.",
    deleted: "Il a été supprimé depuis cet e-mail.",
  } as Record<string, string>,
  confirmAction: (action: string, name: string) => `${action} le commentaire de ${name} ?`,
  confirmSubscription: "Confirmer votre adresse pour être prévenu·e des réponses ?",
  stopThreadQuestion: "Ne plus être prévenu·e des réponses à ce commentaire ?",
  stopAllQuestion: "Ne plus rien recevoir de ce site ?",
  back: "Retour au blog",
  done: {
    approve: "Commentaire publié.",
    spam: "Commentaire classé comme spam.",
    delete: "Commentaire supprimé.",
    confirm: "Adresse confirmée : vous serez prévenu·e des réponses.",
    stop: "Vous ne serez plus prévenu·e.",
  } as Record<string, string>,
};

type EmailStrings = typeof fr;

const en: EmailStrings = {
  colon: ": ",
  newComment: (name, title, waiting) => `${waiting ? "To moderate" : "New comment"}: ${name} on “${title}”`,
  digest: (n) => (n === 1 ? "1 comment awaits your decision" : `${n} comments await your decision`),
  wrote: (name) => `${name} wrote:`,
  digestItem: (n, name, title) => `${n}. ${name} on “${title}”:`,
  digestMore: (n, desk) => `${n === 1 ? "One more comment waits" : `${n} more comments wait`}: they will come in the next digest, or see ${desk}`,
  digestReplyHow: "Start your reply with ok, spam or delete and the numbers of the comments (ok 1 3, spam 2); nothing changed.",
  digestReplyUnknown: (numbers) => `This digest has no comment ${numbers}; nothing changed.`,
  digestReplyHint:
    "Or reply to this message, above the quote, with for example “ok 1 3, spam 2, delete 4” (the numbers above; keep the reference below in your reply).",
  heldFor: (why) => `Held: ${heldReason(enReasons, why, (w) => `contains “${w}”`)}`,
  approve: "Publish",
  spam: "It’s spam",
  delete: "Delete",
  replyHint:
    "Or reply to this message with “ok”, “spam” or “delete”, or with “reply:” followed by your answer, published under this comment with the “Author” badge (keep the reference below in your reply).",
  view: "See the post",
  linkValid: "These links work once, for 7 days.",
  confirmSubject: (site) => `Confirm to be told of replies on ${site}`,
  confirmBody: (site) =>
    `You asked to be told of replies to your comment on ${site}. Confirm your address to start; without it, we will not write to you again.`,
  confirm: "Confirm my address",
  replySubject: (name, title) => `${name} replied to you on “${title}”`,
  replyBody: (name) => `${name} replied to your comment:`,
  stopThread: "Stop replies for this thread",
  stopAll: "Stop everything from this site",
  pageConfirmTitle: "Confirm",
  pageDone: "Done.",
  pageUsedTitle: "Link already used",
  pageUsed: "This link was used already; nothing changed.",
  pageInvalidTitle: "Link not valid",
  pageInvalid: "This link is not valid or has expired.",
  pageMissingTitle: "Comment not found",
  pageMissing: "This comment no longer exists.",
  pageAlreadyTitle: "Already done",
  pageUnchangedTitle: "Nothing changed",
  pageDuplicate: "The same text is already published or waiting on this post; nothing changed.",
  already: {
    approve: "This comment is already published; nothing changed.",
    spam: "This comment is already marked as spam; nothing changed.",
    delete: "This comment is already deleted; nothing changed.",
  },
  nowIs: {
    approved: "It was published since this email.",
    spam: "It was marked as spam since this email.",
    deleted: "It was deleted since this email.",
  },
  confirmAction: (action, name) => `${action}: the comment by ${name}?`,
  confirmSubscription: "Confirm your address to be told of replies?",
  stopThreadQuestion: "Stop being told of replies to this comment?",
  stopAllQuestion: "Stop receiving anything from this site?",
  back: "Back to the blog",
  done: {
    approve: "Comment published.",
    spam: "Comment marked as spam.",
    delete: "Comment deleted.",
    confirm: "Address confirmed: you will be told of replies.",
    stop: "You will not be told any more.",
  },
};

export function emailStrings(lang: string | undefined): EmailStrings {
  return lang?.toLowerCase().startsWith("en") ? en : fr;
}

/** A small page of the site for what a link in an email opens: a question and its button, or a result. */
export function linkPage(opts: { lang: string; siteTitle: string; title: string; body: string; form?: { action: string; button: string } }): string {
  const s = emailStrings(opts.lang);
  const form = opts.form
    ? `<form method="post" action="${escapeHtml(opts.form.action)}"><p><button type="submit">${escapeHtml(opts.form.button)}</button></p></form>`
    : `<p><a href="/">${escapeHtml(s.back)}</a></p>`;
  return `<!doctype html>
<html lang="${escapeHtml(opts.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(opts.title)} · ${escapeHtml(opts.siteTitle)}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/billet.css">
</head>
<body>
<main id="main" class="link-page">
<p class="site-title"><a href="/">${escapeHtml(opts.siteTitle)}</a></p>
<h1>${escapeHtml(opts.title)}</h1>
${opts.body}
${form}
</main>
</body>
</html>
`;
}
