// The reader-facing words, in French and English. The page's language picks the set.

const fr = {
  commentsTitle: "Vos réactions",
  noComments: "Pas encore de réaction. Soyez le premier ou la première !",
  commentCount: (n: number) => (n === 0 ? "aucune" : n === 1 ? "1 réaction" : `${n} réactions`),
  leaveComment: "Laissez un commentaire",
  replyTo: (name: string, n: string) => `Réponse à ${name} (${n})`,
  cancelReply: "Annuler la réponse",
  reply: "Répondre",
  name: "Nom",
  email: "E-mail",
  emailHint: "Facultatif, jamais publié.",
  website: "Site web",
  websiteHint: "Facultatif.",
  comment: "Commentaire",
  commentHint: "Texte simple : *italique*, **gras**, `code`, > citation et liens.",
  required: "obligatoire",
  honeypot: "Laissez ce champ vide",
  turnstileNeedsJs: "Le contrôle anti-spam de ce blog a besoin de JavaScript.",
  submit: "Publier le commentaire",
  sending: "Envoi…",
  closed: "Les commentaires sont fermés pour ce billet.",
  pending: "En attente de modération : vous seul le voyez pour l’instant.",
  removed: "Ce commentaire a été retiré.",
  pendingNotice: "Merci ! Votre commentaire attend la validation de l’auteur.",
  publishedNotice: "Merci ! Votre commentaire est publié.",
  fixErrors: "Le commentaire n’a pas été envoyé : corrigez les champs signalés.",
  draftKept: "Votre brouillon est conservé.",
  networkError: "Le réseau ne répond pas : votre commentaire n’a pas été envoyé.",
  edited: "modifié",
  olderComments: "← Réactions précédentes",
  newerComments: "Réactions suivantes →",
  commentsPages: "Pages des réactions",
  permalink: (n: string) => `Lien vers la réaction ${n}`,
  on: "le",
  at: "à",
  fieldErrors: {
    required: "Ce champ est obligatoire.",
    too_long: "Ce texte est trop long.",
    invalid_email: "Cette adresse e-mail n’est pas valide.",
    invalid_url: "Cette adresse doit commencer par http:// ou https://.",
    invalid_characters: "Ce texte contient des caractères non autorisés.",
    invalid: "Cette valeur n’est pas valide.",
  } as Record<string, string>,
};

export type Strings = typeof fr;

const en: Strings = {
  commentsTitle: "Comments",
  noComments: "No comments yet. Be the first!",
  commentCount: (n: number) => (n === 0 ? "none" : n === 1 ? "1 comment" : `${n} comments`),
  leaveComment: "Leave a comment",
  replyTo: (name: string, n: string) => `Replying to ${name} (${n})`,
  cancelReply: "Cancel reply",
  reply: "Reply",
  name: "Name",
  email: "Email",
  emailHint: "Optional, never shown.",
  website: "Website",
  websiteHint: "Optional.",
  comment: "Comment",
  commentHint: "Plain text: *italic*, **bold**, `code`, > quote and links.",
  required: "required",
  honeypot: "Leave this field empty",
  turnstileNeedsJs: "This blog’s anti-spam check needs JavaScript.",
  submit: "Post comment",
  sending: "Sending…",
  closed: "Comments are closed for this post.",
  pending: "Awaiting moderation: only you can see it for now.",
  removed: "This comment was removed.",
  pendingNotice: "Thank you! Your comment is awaiting the author’s approval.",
  publishedNotice: "Thank you! Your comment is published.",
  fixErrors: "Your comment was not sent: please fix the marked fields.",
  draftKept: "Your draft is kept.",
  networkError: "The network did not answer: your comment was not sent.",
  edited: "edited",
  olderComments: "← Earlier comments",
  newerComments: "Later comments →",
  commentsPages: "Comment pages",
  permalink: (n: string) => `Link to comment ${n}`,
  on: "on",
  at: "at",
  fieldErrors: {
    required: "This field is required.",
    too_long: "This text is too long.",
    invalid_email: "This email address is not valid.",
    invalid_url: "This address must start with http:// or https://.",
    invalid_characters: "This text contains characters that are not allowed.",
    invalid: "This value is not valid.",
  },
};

export function stringsFor(lang: string | undefined): Strings {
  return lang?.toLowerCase().startsWith("en") ? en : fr;
}

/** Strings the widget needs, as plain data (functions left out). */
export function widgetStrings(lang: string | undefined) {
  const s = stringsFor(lang);
  return {
    sending: s.sending,
    submit: s.submit,
    pendingNotice: s.pendingNotice,
    publishedNotice: s.publishedNotice,
    fixErrors: s.fixErrors,
    draftKept: s.draftKept,
    networkError: s.networkError,
    cancelReply: s.cancelReply,
    fieldErrors: s.fieldErrors,
  };
}
