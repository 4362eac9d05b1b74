// Every word of the moderation page, in French and English: the build writes the page's fixed text
// from here (scripts/admin-page.ts) and the script (admin.ts) its messages, so the two never differ.

export type Status = "pending" | "approved" | "spam" | "deleted";
export type Action = "approve" | "spam" | "delete" | "pending" | "purge";

const fr = {
  pageTitle: "Modération",
  heading: "Modération des commentaires",
  skip: "Aller au contenu",
  noscript: "Cette page a besoin de JavaScript.",
  loginTitle: "Connexion",
  loginIntro: "Entrez le jeton d’administration (ADMIN_TOKEN). Il reste dans cet onglet jusqu’à ce que vous le fermiez ou vous déconnectiez.",
  tokenLabel: "Jeton d’administration",
  signIn: "Se connecter",
  logout: "Se déconnecter",
  loggedOut: "Vous êtes déconnecté.",
  tokenRequired: "Entrez le jeton.",
  tokenWrong: "Ce jeton n’est pas le bon.",
  tokenExpired: "Le jeton a été refusé : entrez-le à nouveau.",
  statesNav: "États des commentaires",
  tabs: { pending: "En attente", approved: "Approuvés", spam: "Indésirables", deleted: "Corbeille" } as Record<Status, string>,
  postFilter: "Billet",
  allPosts: "Tous les billets",
  selectAll: "Tout sélectionner",
  selected: (n: number) => (n <= 1 ? `${n} sélectionné` : `${n} sélectionnés`),
  bulkGroup: "Pour la sélection",
  selectFirst: "Sélectionnez d’abord un ou plusieurs commentaires.",
  actions: { approve: "Approuver", spam: "Indésirable", delete: "Supprimer", purge: "Supprimer définitivement", pending: "Remettre en attente" } as Record<Action, string>,
  confirmPurge: (label: string) => `Supprimer définitivement le ${label} ? C’est irréversible.`,
  confirmPurgeMany: (n: number) => (n === 1 ? "Supprimer définitivement 1 commentaire ? C’est irréversible." : `Supprimer définitivement ${n} commentaires ? C’est irréversible.`),
  doneOne: (action: Action, label: string) => `${capitalize(label)} ${pastFr(action, false)}.`,
  doneMany: (action: Action, n: number) => (n === 1 ? `1 commentaire ${pastFr(action, false)}.` : `${n} commentaires ${pastFr(action, true)}.`),
  loadMore: "Charger plus",
  loading: "Chargement…",
  loadedMore: (n: number) => (n === 1 ? "1 commentaire de plus." : `${n} commentaires de plus.`),
  listed: (tab: string, n: number, more: boolean) => `${tab} : ${n === 0 ? "aucun commentaire" : n === 1 ? "1 commentaire" : `${n} commentaires`}${more ? " (et d’autres à charger)" : ""}.`,
  empty: {
    pending: "Aucun commentaire n’attend votre décision.",
    approved: "Aucun commentaire approuvé.",
    spam: "Aucun commentaire indésirable.",
    deleted: "La corbeille est vide.",
  } as Record<Status, string>,
  label: (id: number, name: string) => `commentaire ${id} de ${name}`,
  select: (label: string) => `Sélectionner le ${label}`,
  actionsFor: (label: string) => `Actions pour le ${label}`,
  replyTo: (id: number) => `en réponse au #${id}`,
  edited: "modifié",
  reason: "Motif\u00a0:",
  ipHash: "empreinte d’adresse",
  heldFor: {
    first_comment: "premier commentaire de cette personne",
    too_many_links: "trop de liens",
    honeypot: "champ piège rempli (robot probable)",
    filled_too_fast: "formulaire rempli trop vite (robot probable)",
    akismet: "signalé par Akismet",
    akismet_unavailable: "Akismet ne répondait pas",
    moderation_all: "tous les commentaires sont modérés",
    moderator: "votre décision",
  } as Record<string, string>,
  heldForWord: (word: string) => `contient « ${word} »`,
  errors: {
    network: "Le serveur ne répond pas : vérifiez la connexion et réessayez.",
    storage: "La base de données est momentanément indisponible ; rien n’a changé. Réessayez dans un instant.",
    notFound: "Ce commentaire n’existe plus.",
    forbidden: "Le serveur refuse cette demande.",
    other: (code: string) => `Erreur inattendue (${code}) ; réessayez.`,
  },
  about: (label: string, message: string) => `${capitalize(label)} : ${message}`,
};

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function pastFr(action: Action, plural: boolean): string {
  const s = plural ? "s" : "";
  switch (action) {
    case "approve":
      return `approuvé${s}`;
    case "spam":
      return `classé${s} indésirable${s}`;
    case "pending":
      return "remis en attente";
    case "delete":
      return `mis à la corbeille`;
    case "purge":
      return `supprimé${s} définitivement`;
  }
}

export type AdminStrings = typeof fr;

const en: AdminStrings = {
  pageTitle: "Moderation",
  heading: "Comment moderation",
  skip: "Skip to content",
  noscript: "This page needs JavaScript.",
  loginTitle: "Sign in",
  loginIntro: "Enter the admin token (ADMIN_TOKEN). It stays in this tab until you close it or log out.",
  tokenLabel: "Admin token",
  signIn: "Sign in",
  logout: "Log out",
  loggedOut: "You are logged out.",
  tokenRequired: "Enter the token.",
  tokenWrong: "This token is not the right one.",
  tokenExpired: "The token was refused: please enter it again.",
  statesNav: "Comment states",
  tabs: { pending: "Pending", approved: "Approved", spam: "Spam", deleted: "Deleted" },
  postFilter: "Post",
  allPosts: "All posts",
  selectAll: "Select all",
  selected: (n: number) => `${n} selected`,
  bulkGroup: "With the selected",
  selectFirst: "Select one or more comments first.",
  actions: { approve: "Approve", spam: "Spam", delete: "Delete", purge: "Delete for good", pending: "Back to queue" },
  confirmPurge: (label: string) => `Delete ${label} for good? This cannot be undone.`,
  confirmPurgeMany: (n: number) => `Delete ${n === 1 ? "1 comment" : `${n} comments`} for good? This cannot be undone.`,
  doneOne: (action: Action, label: string) => `${capitalize(label)} ${pastEn[action]}.`,
  doneMany: (action: Action, n: number) => `${n === 1 ? "1 comment" : `${n} comments`} ${pastEn[action]}.`,
  loadMore: "Load more",
  loading: "Loading…",
  loadedMore: (n: number) => (n === 1 ? "1 more comment." : `${n} more comments.`),
  listed: (tab: string, n: number, more: boolean) => `${tab}: ${n === 0 ? "no comments" : n === 1 ? "1 comment" : `${n} comments`}${more ? " (and more to load)" : ""}.`,
  empty: {
    pending: "Nothing is waiting for you.",
    approved: "No approved comments.",
    spam: "No spam.",
    deleted: "Nothing deleted.",
  },
  label: (id: number, name: string) => `comment ${id} by ${name}`,
  select: (label: string) => `Select ${label}`,
  actionsFor: (label: string) => `Actions for ${label}`,
  replyTo: (id: number) => `in reply to #${id}`,
  edited: "edited",
  reason: "Reason:",
  ipHash: "address hash",
  heldFor: {
    first_comment: "this person’s first comment",
    too_many_links: "too many links",
    honeypot: "trap field filled in (likely a bot)",
    filled_too_fast: "form filled in too fast (likely a bot)",
    akismet: "flagged by Akismet",
    akismet_unavailable: "Akismet did not answer",
    moderation_all: "every comment is moderated",
    moderator: "your decision",
  },
  heldForWord: (word: string) => `contains “${word}”`,
  errors: {
    network: "The server does not answer: check the connection and try again.",
    storage: "The database is unavailable for a moment; nothing changed. Try again shortly.",
    notFound: "This comment no longer exists.",
    forbidden: "The server refuses this request.",
    other: (code: string) => `Unexpected error (${code}); try again.`,
  },
  about: (label: string, message: string) => `${capitalize(label)}: ${message}`,
};

const pastEn: Record<Action, string> = {
  approve: "approved",
  spam: "marked as spam",
  pending: "put back in the queue",
  delete: "deleted",
  purge: "deleted for good",
};

export function adminStrings(lang: string | undefined): AdminStrings {
  return lang?.toLowerCase().startsWith("en") ? en : fr;
}
