// What the widget says when a post fails for a reason the page itself never shows: one sentence per
// error code of the API, in the page's language. (The page's own words are in workers/render/strings.ts.)

const wait = (seconds: number, minute: string, second: string) =>
  seconds >= 60 ? `${Math.ceil(seconds / 60)} ${minute}` : `${Math.max(1, seconds)} ${second}`;

const fr = {
  unavailable: "Le service est momentanément indisponible : votre commentaire n’a pas été enregistré. Réessayez dans un instant.",
  rateLimited: (seconds: number) => `Trop de commentaires en peu de temps : votre commentaire n’a pas été envoyé. Réessayez dans ${wait(seconds, "min", "s")}.`,
  duplicate: "Ce commentaire a déjà été envoyé.",
  tooLarge: "Votre commentaire est trop long pour être envoyé.",
  replyGone: "Le commentaire auquel vous répondiez n’est plus disponible : la réponse est annulée, renvoyez pour publier votre commentaire.",
  challenge: "Le contrôle anti-spam n’a pas abouti : votre commentaire n’a pas été envoyé. Réessayez.",
  failed: (status: number) => `Le serveur n’a pas pu enregistrer votre commentaire (erreur ${status}).`,
};

export type Messages = typeof fr;

const en: Messages = {
  unavailable: "The service is unavailable right now: your comment was not saved. Please try again in a moment.",
  rateLimited: (seconds: number) => `Too many comments in a short time: your comment was not sent. Try again in ${wait(seconds, "min", "s")}.`,
  duplicate: "This comment has already been sent.",
  tooLarge: "Your comment is too long to be sent.",
  replyGone: "The comment you were replying to is no longer available: the reply is cancelled, send again to post your comment.",
  challenge: "The anti-spam check did not succeed: your comment was not sent. Please try again.",
  failed: (status: number) => `The server could not save your comment (error ${status}).`,
};

export function messagesFor(lang: string | undefined): Messages {
  return lang?.toLowerCase().startsWith("en") ? en : fr;
}
