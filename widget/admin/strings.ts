// Every word of the moderation page, in French and English: the build writes the page's fixed text
// from here (scripts/admin-page.ts) and the script (admin.ts) its messages, so the two never differ.
// Why a comment waits: the same words as the emails say.
import { enReasons, frReasons } from "../../workers/render/emails.ts";

export type Status = "pending" | "approved" | "spam" | "deleted";
export type Action = "approve" | "spam" | "delete" | "pending" | "purge";
export type BlockKind = "email" | "network" | "host";
export type DeskView = "blocks" | "log" | "privacy";

const kindsFr: Record<BlockKind, string> = { email: "e-mail", network: "adresse réseau", host: "site" };
const kindsEn: Record<BlockKind, string> = { email: "email", network: "network address", host: "website" };

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
  actions: { approve: "Approuver", spam: "Indésirable", delete: "Supprimer", purge: "Supprimer définitivement", pending: "Remettre en attente" } as Record<
    Action,
    string
  >,
  confirmPurge: (label: string) => `Supprimer définitivement le ${label} ? C’est irréversible.`,
  // Pinning a thread to the top of its post.
  pin: "Épingler le fil",
  pinned: (label: string, on: boolean) => `Fil du ${label} ${on ? "épinglé en haut du billet" : "désépinglé"}.`,
  confirmPurgeMany: (n: number) =>
    n === 1 ? "Supprimer définitivement 1 commentaire ? C’est irréversible." : `Supprimer définitivement ${n} commentaires ? C’est irréversible.`,
  doneOne: (action: Action, label: string) => `${capitalize(label)} ${pastFr(action, false)}.`,
  doneMany: (action: Action, n: number) => (n === 1 ? `1 commentaire ${pastFr(action, false)}.` : `${n} commentaires ${pastFr(action, true)}.`),
  loadMore: "Charger plus",
  loading: "Chargement…",
  loadedMore: (n: number) => (n === 1 ? "1 commentaire de plus." : `${n} commentaires de plus.`),
  listed: (tab: string, n: number, more: boolean) =>
    `${tab} : ${n === 0 ? "aucun commentaire" : n === 1 ? "1 commentaire" : `${n} commentaires`}${more ? " (et d’autres à charger)" : ""}.`,
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
  heldFor: frReasons,
  heldForWord: (word: string) => `contient « ${word} »`,
  errors: {
    network: "Le serveur ne répond pas : vérifiez la connexion et réessayez.",
    storage: "La base de données est momentanément indisponible ; rien n’a changé. Réessayez dans un instant.",
    notFound: "Ce commentaire n’existe plus.",
    forbidden: "Le serveur refuse cette demande.",
    other: (code: string) => `Erreur inattendue (${code}) ; réessayez.`,
    tooManyAttempts: (seconds: number) => `Trop de tentatives depuis ce réseau : attendez ${seconds} s avant de réessayer.`,
  },
  about: (label: string, message: string) => `${capitalize(label)} : ${message}`,
  // ---- the desk: other views
  toolsNav: "Outils de modération",
  views: { blocks: "Bloqués", log: "Journal", privacy: "Données personnelles" } as Record<DeskView, string>,
  // ---- search
  searchLabel: "Rechercher dans cet onglet",
  searchHint: "Dans le nom, l’e-mail, le site et le texte ; chaque mot doit s’y trouver. Videz le champ pour tout revoir.",
  searchButton: "Rechercher",
  searchTitle: (tab: string, q: string) => `${tab} · « ${q} »`,
  emptySearch: (q: string) => `Aucun commentaire ne correspond à « ${q} » dans cet onglet.`,
  // ---- one comment found by its number (links from the log)
  commentTitle: (id: number, tab: string | null) => (tab ? `Commentaire #${id} · ${tab}` : `Commentaire #${id}`),
  commentGone: (id: number) => `Le commentaire #${id} n’existe plus (supprimé définitivement ou effacé).`,
  lookingFor: (id: number) => `Recherche du commentaire #${id}…`,
  // ---- why the filter held a comment
  looksLikeSpam: (score: string | null, clues: string) => `ressemble à du spam${score ? ` (${score})` : ""}${clues ? ` : ${clues}` : ""}`,
  spamScore: (score: string) => `indice de spam ${score}`,
  trainedAs: { spam: "appris comme indésirable", ham: "appris comme légitime" } as Record<"spam" | "ham", string>,
  feature: {
    host: (h: string) => `lien vers ${h}`,
    site: (h: string) => `site ${h}`,
    siteNone: "pas de site",
    siteInvalid: "site invalide",
    name: (n: string) => `nom « ${n} »`,
    nameShouting: "nom en capitales",
    mail: (d: string) => `e-mail chez ${d}`,
    mailNone: "pas d’e-mail",
    links: (n: number) => (n === 0 ? "aucun lien" : n === 1 ? "1 lien" : n >= 5 ? "5 liens ou plus" : `${n} liens`),
    script: {
      latin: "alphabet latin",
      cyrillic: "alphabet cyrillique",
      han: "caractères chinois",
      arabic: "alphabet arabe",
      other: "autre écriture",
      none: "sans lettres",
    } as Record<string, string>,
    lang: { fr: "en français", en: "en anglais", unknown: "langue inconnue" } as Record<string, string>,
    length: (min: number, max: number | null) => (max === null ? `${min} caractères ou plus` : `${min} à ${max} caractères`),
    shouting: "texte en capitales",
    repeated: "caractères répétés",
    money: "sommes d’argent",
    caps: (w: string) => `« ${w} » en capitales`,
    path: (w: string) => `lien vers …/${w}`,
    exclamation: "point d’exclamation",
    punctuationRun: "ponctuation répétée (!!, ??)",
  },
  // ---- keyboard shortcuts
  shortcutsButton: "Raccourcis clavier",
  shortcutsTitle: "Raccourcis clavier",
  shortcutsIntro: "Quand le focus est dans la liste des commentaires (pas dans un champ) :",
  shortcuts: [
    ["j", "commentaire suivant"],
    ["k", "commentaire précédent"],
    ["a", "approuver le commentaire"],
    ["s", "le classer indésirable"],
    ["d", "le mettre à la corbeille"],
    ["u", "annuler la dernière action"],
    ["?", "afficher cette aide"],
  ] as [string, string][],
  close: "Fermer",
  pickFirst: "Choisissez d’abord un commentaire avec j ou k.",
  notOffered: (action: string) => `« ${action} » n’est pas possible dans cet onglet.`,
  lastOne: "C’est le dernier commentaire de la liste.",
  firstOne: "C’est le premier commentaire de la liste.",
  undo: "Annuler",
  undoWhat: (what: string) => `Annuler : ${what}`,
  nothingToUndo: "Rien à annuler.",
  cannotUndoPurge: "Une suppression définitive ne peut pas être annulée.",
  undone: (label: string, status: Status) => `Annulé : ${label} de nouveau ${backFr[status]}.`,
  undoneMany: (n: number, status: Status) => `Annulé : ${n === 1 ? "1 commentaire" : `${n} commentaires`} de nouveau ${backFr[status]}.`,
  // ---- blocking a commenter
  blockAuthor: "Bloquer l’auteur",
  blockAuthorOf: (label: string) => ` du ${label}`,
  blockBy: "Bloquer par",
  blockFor: "Pendant",
  kinds: kindsFr,
  kindOf: {
    email: (v: string) => `e-mail (${v})`,
    network: (hash: string) => `adresse réseau (empreinte ${hash})`,
    host: (h: string) => `site (${h})`,
  } as Record<BlockKind, (v: string) => string>,
  durations: { "7": "7 jours", "30": "30 jours", "": "pour de bon" } as Record<string, string>,
  blockReason: "Raison (facultative, pour vous)",
  blockSubmit: "Bloquer",
  blockedDone: (kind: BlockKind, value: string, duration: string) =>
    `Bloqué par ${kindsFr[kind]} : ${value}, ${duration === "pour de bon" ? duration : `pendant ${duration}`}.`,
  nothingToBlock: "Ce commentaire n’a rien de ce genre à bloquer.",
  networkHint: "L’adresse réseau bloque toute personne qui écrit depuis la même connexion (une IPv6 avec tout son /64).",
  // ---- the blocks view
  blocksTitle: "Bloqués",
  blocksIntro: "Leurs nouveaux commentaires vont directement dans les indésirables.",
  blocksEmpty: "Personne n’est bloqué.",
  blockUntil: (date: string) => `jusqu’au ${date}`,
  blockForGood: "pour de bon",
  blockSince: (date: string) => `depuis le ${date}`,
  blockReasonShown: (reason: string) => `raison : ${reason}`,
  hashShown: (hash: string) => `empreinte ${hash}`,
  unblock: "Débloquer",
  unblockWhat: (what: string) => ` ${what}`,
  unblocked: (what: string) => `Débloqué : ${what}.`,
  addBlockTitle: "Bloquer à la main",
  blockValue: "À bloquer",
  valueHints: {
    email: "Une adresse e-mail, par exemple nom@exemple.fr.",
    network: "Une adresse IPv4 ou IPv6 (une IPv6 est bloquée avec tout son /64) ; seule son empreinte est gardée.",
    host: "Le site que donne le commentateur, par exemple casino.example.",
  } as Record<BlockKind, string>,
  valueRequired: "Entrez ce qu’il faut bloquer.",
  valueInvalid: "Cette valeur ne peut pas être bloquée ainsi : vérifiez-la.",
  // ---- the log
  logTitle: "Journal",
  logIntro: "Chaque décision prise ici ou par l’API, la plus récente en premier.",
  logEmpty: "Rien n’a encore été fait.",
  actorToken: "jeton d’administration",
  actors: {
    link: "lien d’un e-mail",
    "email-reply": "réponse par e-mail",
    "sign-in": "connexion refusée",
  } as Record<string, string>,
  unknownWord: "inconnu",
  logActions: {
    approve: "Approuvé",
    spam: "Classé indésirable",
    pending: "Remis en attente",
    delete: "Mis à la corbeille",
    purge: "Supprimé définitivement",
    "erase-commenter": "Données d’un commentateur effacées",
    "export-commenter": "Données d’un commentateur exportées",
    "sign-in-failed": "Connexion refusée (mauvais jeton)",
  } as Record<string, string>,
  logBlock: (kind: string) => `Blocage par ${kindsFr[kind as BlockKind] ?? kind}`,
  logUnblock: (kind: string) => `Déblocage (${kindsFr[kind as BlockKind] ?? kind})`,
  logOn: (n: number): string => (n === 1 ? "commentaire" : "commentaires"),
  logMoreIds: (n: number) => `et ${n} autres`,
  logErased: (c: number, b: number) => `${c <= 1 ? `${c} commentaire` : `${c} commentaires`}, ${b <= 1 ? `${b} blocage` : `${b} blocages`}`,
  loadedMoreEntries: (n: number) => (n === 1 ? "1 entrée de plus." : `${n} entrées de plus.`),
  logListed: (n: number, more: boolean) =>
    `Journal : ${n === 0 ? "aucune entrée" : n === 1 ? "1 entrée" : `${n} entrées`}${more ? " (et d’autres à charger)" : ""}.`,
  // ---- a commenter's data
  privacyTitle: "Données d’un commentateur",
  privacyIntro:
    "Pour répondre à une demande d’accès ou d’effacement (RGPD) : tout ce qui est gardé pour une adresse e-mail (quelle que soit la casse) : ses commentaires, ses blocages, son abonnement aux réponses et les entrées du journal sur ses commentaires.",
  privacyEmail: "Adresse e-mail du commentateur",
  exportButton: "Exporter (JSON)",
  eraseButton: "Effacer ses données",
  emailInvalid: "Entrez une adresse e-mail valide.",
  exported: (file: string, n: number) => `Téléchargé : ${file} (${n <= 1 ? `${n} commentaire` : `${n} commentaires`}).`,
  confirmErase: (email: string) =>
    `Effacer les données de ${email} ? Tous ses commentaires seront supprimés définitivement, ses blocages (e-mail, adresse réseau, site) levés, son abonnement oublié, et le filtre anti-spam oubliera ce qu’il a appris d’elle ou de lui. C’est irréversible.`,
  erased: (email: string, c: number, b: number) =>
    `Données de ${email} effacées : ${c <= 1 ? `${c} commentaire supprimé` : `${c} commentaires supprimés`}, ${b <= 1 ? `${b} blocage levé` : `${b} blocages levés`}.`,
};

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const backFr: Record<Status, string> = { pending: "en attente", approved: "approuvé", spam: "classé indésirable", deleted: "à la corbeille" };

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
  pin: "Pin thread",
  pinned: (label: string, on: boolean) => `Thread of ${label} ${on ? "pinned to the top of the post" : "unpinned"}.`,
  confirmPurgeMany: (n: number) => `Delete ${n === 1 ? "1 comment" : `${n} comments`} for good? This cannot be undone.`,
  doneOne: (action: Action, label: string) => `${capitalize(label)} ${pastEn[action]}.`,
  doneMany: (action: Action, n: number) => `${n === 1 ? "1 comment" : `${n} comments`} ${pastEn[action]}.`,
  loadMore: "Load more",
  loading: "Loading…",
  loadedMore: (n: number) => (n === 1 ? "1 more comment." : `${n} more comments.`),
  listed: (tab: string, n: number, more: boolean) =>
    `${tab}: ${n === 0 ? "no comments" : n === 1 ? "1 comment" : `${n} comments`}${more ? " (and more to load)" : ""}.`,
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
  heldFor: enReasons,
  heldForWord: (word: string) => `contains “${word}”`,
  errors: {
    network: "The server does not answer: check the connection and try again.",
    storage: "The database is unavailable for a moment; nothing changed. Try again shortly.",
    notFound: "This comment no longer exists.",
    forbidden: "The server refuses this request.",
    other: (code: string) => `Unexpected error (${code}); try again.`,
    tooManyAttempts: (seconds: number) => `Too many attempts from this network: wait ${seconds} s before trying again.`,
  },
  about: (label: string, message: string) => `${capitalize(label)}: ${message}`,
  toolsNav: "Moderation tools",
  views: { blocks: "Blocked", log: "Log", privacy: "Personal data" },
  searchLabel: "Search this tab",
  searchHint: "In the name, email, website and text; every word must be found. Empty the field to see everything again.",
  searchButton: "Search",
  searchTitle: (tab: string, q: string) => `${tab} · “${q}”`,
  emptySearch: (q: string) => `No comment in this tab matches “${q}”.`,
  commentTitle: (id: number, tab: string | null) => (tab ? `Comment #${id} · ${tab}` : `Comment #${id}`),
  commentGone: (id: number) => `Comment #${id} no longer exists (deleted for good or erased).`,
  lookingFor: (id: number) => `Looking for comment #${id}…`,
  looksLikeSpam: (score: string | null, clues: string) => `looks like spam${score ? ` (${score})` : ""}${clues ? `: ${clues}` : ""}`,
  spamScore: (score: string) => `spam score ${score}`,
  trainedAs: { spam: "learned as spam", ham: "learned as not spam" },
  feature: {
    host: (h: string) => `link to ${h}`,
    site: (h: string) => `website ${h}`,
    siteNone: "no website",
    siteInvalid: "invalid website",
    name: (n: string) => `name “${n}”`,
    nameShouting: "name in capitals",
    mail: (d: string) => `email at ${d}`,
    mailNone: "no email",
    links: (n: number) => (n === 0 ? "no links" : n === 1 ? "1 link" : n >= 5 ? "5 links or more" : `${n} links`),
    script: {
      latin: "Latin script",
      cyrillic: "Cyrillic script",
      han: "Chinese characters",
      arabic: "Arabic script",
      other: "another script",
      none: "no letters",
    },
    lang: { fr: "in French", en: "in English", unknown: "language unknown" },
    length: (min: number, max: number | null) => (max === null ? `${min} characters or more` : `${min} to ${max} characters`),
    shouting: "text in capitals",
    repeated: "repeated characters",
    money: "sums of money",
    caps: (w: string) => `“${w}” in capitals`,
    path: (w: string) => `link to …/${w}`,
    exclamation: "exclamation mark",
    punctuationRun: "repeated punctuation (!!, ??)",
  },
  shortcutsButton: "Keyboard shortcuts",
  shortcutsTitle: "Keyboard shortcuts",
  shortcutsIntro: "When the focus is in the list of comments (not in a field):",
  shortcuts: [
    ["j", "next comment"],
    ["k", "previous comment"],
    ["a", "approve the comment"],
    ["s", "mark it as spam"],
    ["d", "delete it (to the bin)"],
    ["u", "undo the last action"],
    ["?", "show this help"],
  ],
  close: "Close",
  pickFirst: "Pick a comment first with j or k.",
  notOffered: (action: string) => `“${action}” is not offered in this tab.`,
  lastOne: "This is the last comment in the list.",
  firstOne: "This is the first comment in the list.",
  undo: "Undo",
  undoWhat: (what: string) => `Undo: ${what}`,
  nothingToUndo: "Nothing to undo.",
  cannotUndoPurge: "Deleting for good cannot be undone.",
  undone: (label: string, status: Status) => `Undone: ${label} is ${backEn[status]} again.`,
  undoneMany: (n: number, status: Status) => `Undone: ${n === 1 ? "1 comment is" : `${n} comments are`} ${backEn[status]} again.`,
  blockAuthor: "Block the author",
  blockAuthorOf: (label: string) => ` of ${label}`,
  blockBy: "Block by",
  blockFor: "For",
  kinds: kindsEn,
  kindOf: {
    email: (v: string) => `email (${v})`,
    network: (hash: string) => `network address (hash ${hash})`,
    host: (h: string) => `website (${h})`,
  },
  durations: { "7": "7 days", "30": "30 days", "": "for good" },
  blockReason: "Reason (optional, for you)",
  blockSubmit: "Block",
  blockedDone: (kind: BlockKind, value: string, duration: string) =>
    `Blocked by ${kindsEn[kind]}: ${value}, ${duration === "for good" ? duration : `for ${duration}`}.`,
  nothingToBlock: "This comment has nothing of that kind to block.",
  networkHint: "A network address blocks anyone writing from the same connection (an IPv6 address with its whole /64).",
  blocksTitle: "Blocked",
  blocksIntro: "Their new comments go straight to spam.",
  blocksEmpty: "Nobody is blocked.",
  blockUntil: (date: string) => `until ${date}`,
  blockForGood: "for good",
  blockSince: (date: string) => `since ${date}`,
  blockReasonShown: (reason: string) => `reason: ${reason}`,
  hashShown: (hash: string) => `hash ${hash}`,
  unblock: "Unblock",
  unblockWhat: (what: string) => ` ${what}`,
  unblocked: (what: string) => `Unblocked: ${what}.`,
  addBlockTitle: "Block by hand",
  blockValue: "To block",
  valueHints: {
    email: "An email address, for example name@example.com.",
    network: "An IPv4 or IPv6 address (IPv6 is blocked with its whole /64); only its hash is kept.",
    host: "The website a commenter gives, for example casino.example.",
  },
  valueRequired: "Enter what to block.",
  valueInvalid: "This value cannot be blocked that way: check it.",
  logTitle: "Log",
  logIntro: "Every decision taken here or through the API, newest first.",
  logEmpty: "Nothing done yet.",
  actorToken: "admin token",
  actors: {
    link: "link in an email",
    "email-reply": "email reply",
    "sign-in": "refused sign-in",
  },
  unknownWord: "unknown",
  logActions: {
    approve: "Approved",
    spam: "Marked as spam",
    pending: "Put back in the queue",
    delete: "Deleted",
    purge: "Deleted for good",
    "erase-commenter": "A commenter’s data erased",
    "export-commenter": "A commenter’s data exported",
    "sign-in-failed": "Sign-in refused (wrong token)",
  },
  logBlock: (kind: string) => `Blocked by ${kindsEn[kind as BlockKind] ?? kind}`,
  logUnblock: (kind: string) => `Unblocked (${kindsEn[kind as BlockKind] ?? kind})`,
  logOn: (n: number) => (n === 1 ? "comment" : "comments"),
  logMoreIds: (n: number) => `and ${n} more`,
  logErased: (c: number, b: number) => `${c === 1 ? "1 comment" : `${c} comments`}, ${b === 1 ? "1 block" : `${b} blocks`}`,
  loadedMoreEntries: (n: number) => (n === 1 ? "1 more entry." : `${n} more entries.`),
  logListed: (n: number, more: boolean) => `Log: ${n === 0 ? "no entries" : n === 1 ? "1 entry" : `${n} entries`}${more ? " (and more to load)" : ""}.`,
  privacyTitle: "A commenter’s data",
  privacyIntro:
    "To answer a request for access or erasure (GDPR): everything kept for one email address (whatever its case): their comments, their blocks, their reply subscription and the log entries on their comments.",
  privacyEmail: "Commenter’s email address",
  exportButton: "Export (JSON)",
  eraseButton: "Erase their data",
  emailInvalid: "Enter a valid email address.",
  exported: (file: string, n: number) => `Downloaded: ${file} (${n === 1 ? "1 comment" : `${n} comments`}).`,
  confirmErase: (email: string) =>
    `Erase the data of ${email}? All their comments will be deleted for good, their blocks (email, network address, website) lifted, their subscription forgotten, and the spam filter will forget what it learned from them. This cannot be undone.`,
  erased: (email: string, c: number, b: number) =>
    `Data of ${email} erased: ${c === 1 ? "1 comment deleted" : `${c} comments deleted`}, ${b === 1 ? "1 block lifted" : `${b} blocks lifted`}.`,
};

const backEn: Record<Status, string> = { pending: "pending", approved: "approved", spam: "marked as spam", deleted: "deleted" };

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
