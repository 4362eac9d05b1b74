// The spam filter that learns from the author: what a comment is made of (its features), and how
// spammy those features have been in the comments the author decided on (a naive Bayes score with
// Robinson's per-word estimates and Fisher's chi-square combining, as SpamBayes and bogofilter use).
// Pure functions: the counts come from the database (workers/db/spam.ts) or, in the benchmark,
// from memory. The same code runs in the Worker, `npm run spam:train` and the benchmark.

export interface CommentText {
  authorName: string;
  authorEmail?: string | null;
  authorUrl?: string | null;
  content: string;
  html: string;
}

/** How often a feature was seen in comments the author called spam and ham. */
export interface FeatureCounts {
  spam: number;
  ham: number;
}

/** The training totals are kept as the counts of this feature, which no comment can have. */
export const DOCUMENTS = " documents";

const MAX_FEATURES = 400;
/** A word of at least two letters or digits in capitals, starting with a letter. */
const CAPS_WORD = /(?<![\p{L}\p{N}])\p{Lu}[\p{Lu}\p{N}]+(?![\p{L}\p{N}])/gu;
const MAX_CAPS_WORDS = 20;
/** A run of non-space characters, without the punctuation around it ("(fr33!)" → fr33). */
const TOKEN = /[^\s]+/g;
const TOKEN_EDGES = /^[^\p{L}\p{N}£$€@]+|[^\p{L}\p{N}£$€@]+$/gu;
/** Tokens read for their mixed shape, and the shapes kept: a long comment's first ones are enough. */
const MIXED_TOKENS_READ = 100;
const MAX_MIXED_SHAPES = 10;
/** Features named like words: the words themselves count as word:phone…, not as a phone number. */
const SHAPE_NAMES = new Set(["phone", "money", "shouting", "repeated"]);
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’_-]*/gu;
const FR = new Set(["le", "la", "les", "des", "est", "une", "pas", "que", "qui", "pour", "dans", "avec", "sur", "mais", "vous", "je", "et", "du", "au", "ce"]);
const EN = new Set(["the", "and", "is", "are", "you", "that", "this", "for", "with", "was", "not", "but", "have", "it", "of", "to", "in", "my", "your", "on"]);

function host(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^www\./, "").toLowerCase() || null;
  } catch {
    return null;
  }
}

function script(text: string): string {
  const letters = text.replace(/[^\p{L}]/gu, "");
  if (!letters) return "none";
  for (const [name, re] of [
    ["latin", /\p{Script=Latin}/gu],
    ["cyrillic", /\p{Script=Cyrillic}/gu],
    ["han", /\p{Script=Han}/gu],
    ["arabic", /\p{Script=Arabic}/gu],
  ] as const) {
    if ((letters.match(re)?.length ?? 0) / letters.length > 0.5) return name;
  }
  return "other";
}

// Top-level domains, to find addresses written without "http" ("INDYAROCKS.COM", "www.x.net").
const BARE_HOST = /\b(?:www\.)?((?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|xyz|online|site|top|club|shop|ru|fr|de|uk|co|io|me|tv|us|eu|pl|in|cn))\b/gi;

/** The first segment of an address's path when it is a word ("/user/x" → user), else null. */
function firstPathWord(url: string): string | null {
  try {
    const first = new URL(url).pathname.split("/").find(Boolean) ?? "";
    return /^\p{L}{2,20}$/u.test(first) ? first.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** The words a host name is made of, without digits ("seo-best123.xyz" → seo, best, tld:xyz). */
function hostParts(h: string): string[] {
  const labels = h.split(".");
  const tld = labels.pop();
  const parts = labels.flatMap((l) => l.split(/[-_\d]+/)).filter((w) => w.length > 1);
  return [...parts.map((w) => `hostword:${w}`), `tld:${tld}`];
}

/**
 * The shapes of the tokens that mix letters with digits or with £, $, €, @ — the spelling of spam
 * dodging a word filter ("fr33", "c@sh", "2nite", "txt80488", "£5k") — letters as "a", digits as
 * "9" (each run once), the signs kept: "fr33" → a9, "c@sh" → a@a, "£5k" → £9a. A shape is learned
 * from a few comments where each such spelling is new.
 */
export function mixedShapes(prose: string): string[] {
  const shapes = new Set<string>();
  for (const raw of (prose.match(TOKEN) ?? []).slice(0, MIXED_TOKENS_READ)) {
    const token = raw.replace(TOKEN_EDGES, "");
    if (token.length > 30 || !/\p{L}/u.test(token) || !/[\p{N}£$€@]/u.test(token)) continue;
    shapes.add(token.replace(/\p{L}+/gu, "a").replace(/\p{N}+/gu, "9"));
    if (shapes.size === MAX_MIXED_SHAPES) break;
  }
  return [...shapes];
}

/**
 * What a comment is made of, as a set of features: first what says most whatever the text's
 * length — the hosts it links to, the first word of their paths and how many links, its author's name, website host and email
 * domain, phone numbers and money, its script and language, its length, shouting and repeated
 * characters, words in capitals and exclamations, the shapes of words mixing letters and digits — then its words and pairs of
 * words, up to MAX_FEATURES in all (so that hundreds of padding words can never push the rest out).
 * Numbers count by their shape, not their digits.
 */
export function features(c: CommentText): string[] {
  const out = new Set<string>();
  const text = c.content.normalize("NFKC");
  const hrefs = [...c.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, "&"));
  const links = hrefs.map(host);
  // The first word of a link's path tells a shared video (/watch) from a channel to follow (/user, /channel).
  for (const href of hrefs.slice(0, 5)) {
    const first = firstPathWord(href);
    if (first) out.add(`path:${first}`);
  }
  // Addresses written in the text count by their host, not as the words "https", "www"…
  const written = [...text.matchAll(BARE_HOST)].map((m) => m[1].toLowerCase().replace(/^www\./, ""));
  out.add(`links:${Math.min(links.length, 5)}`);
  if (written.length > links.length) out.add("links:written");
  for (const h of new Set([...links, ...written])) {
    if (!h) continue;
    out.add(`host:${h}`);
    for (const p of hostParts(h)) out.add(p);
  }
  for (const w of c.authorName.toLowerCase().normalize("NFKC").match(WORD) ?? []) out.add(`name:${w}`);
  if (/^[\p{Lu}\s]{4,}$/u.test(c.authorName.trim())) out.add("name:shouting");
  const site = c.authorUrl ? host(c.authorUrl) : null;
  out.add(c.authorUrl ? `site:${site ?? "invalid"}` : "site:none");
  if (site) for (const p of hostParts(site)) out.add(`site-${p}`);
  const mail = c.authorEmail ? c.authorEmail.split("@").pop()!.toLowerCase() : null;
  out.add(mail ? `mail:${mail}` : "mail:none");
  if (mail && site && (mail === site || mail.endsWith(`.${site}`) || site.endsWith(`.${mail}`))) out.add("mail:same-as-site");
  out.add(`script:${script(text)}`);
  const prose = text.replace(/\b(?:https?:\/\/|www\.)\S+/gi, " ").replace(BARE_HOST, " ");
  if (/(?:\+?\d[\s.-]?){8,}/.test(prose)) out.add("phone");
  if (/[$€£]\s?\d|\d\s?[$€£]|\d\s?(?:p|ppm|pence|eur|euros?|dollars?|usd)\b/i.test(prose)) out.add("money");
  const words = (prose.toLowerCase().match(WORD) ?? [])
    .filter((w) => w.length <= 30)
    .map((w) => (/\d{3}/.test(w) ? `num:${w.replace(/\D/g, "").length > 6 ? "long" : "short"}` : w));
  const fr = words.filter((w) => FR.has(w)).length;
  const en = words.filter((w) => EN.has(w)).length;
  out.add(`lang:${fr + en < 2 ? "unknown" : fr > en ? "fr" : "en"}`);
  out.add(`length:${Math.min(12, Math.floor(Math.log2(text.length + 1)))}`);
  const letters = text.replace(/[^\p{L}]/gu, "");
  if (letters.length >= 12 && letters.replace(/[^\p{Lu}]/gu, "").length / letters.length > 0.5) out.add("shouting");
  if (/(.)\1{4,}/u.test(text)) out.add("repeated");
  // The shape of a short text says much when its words are few: words in capitals ("FREE", "URGENT"),
  // exclamations and runs of them. (Not how many numbers: a reader's numbered list would look like an ad.)
  for (const w of (prose.match(CAPS_WORD) ?? []).slice(0, MAX_CAPS_WORDS)) out.add(`caps:${w.toLowerCase()}`);
  // Named with a colon, as words never are: the word "exclamation" is not an exclamation mark.
  if (text.includes("!")) out.add("punctuation:!");
  if (/[!?]{2,}/.test(text)) out.add("punctuation:run");
  for (const shape of mixedShapes(prose)) out.add(`mixed:${shape}`);
  for (let i = 0; i < words.length && out.size < MAX_FEATURES; i++) {
    if (words[i].length > 1) out.add(SHAPE_NAMES.has(words[i]) ? `word:${words[i]}` : words[i]);
    if (i > 0) out.add(`${words[i - 1]} ${words[i]}`);
  }
  return [...out].slice(0, MAX_FEATURES);
}

/** The survival function of chi-square with `v` (even) degrees of freedom at `x2`. */
function chi2Q(x2: number, v: number): number {
  const m = x2 / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < v / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}

export interface Score {
  /** 0 (ham) to 1 (spam); 0.5 when nothing is known. */
  score: number;
  /** The features that pulled most towards spam, spammiest first. */
  spammy: string[];
  /** Whether enough has been learned for the score to decide anything. */
  trained: boolean;
  /** Whether enough has been learned for the score to file a comment as spam (before, it only holds). */
  settled: boolean;
  /**
   * To hold whatever the score: strong evidence both ways (as when a spam is padded with ordinary
   * words, the score says 0.5), or an author and links that alone look like spam.
   */
  unsure: boolean;
}

/** Learned from at least this many of each before the score decides anything. */
export const MIN_TRAINING = 5;
/** Learned from at least this many of each before the score files anything as spam: it holds until then. */
export const MIN_TRAINING_TO_FILE = 30;
const STRENGTH = 1;
const PRIOR = 0.5;
const MIN_DEVIATION = 0.1;
// Only the most telling features are combined (Graham's 15): a few strong clues decide, and
// hundreds of ordinary words added to a spam cannot dilute them, as a product over all would.
const MAX_CLUES = 15;
/** Spam evidence this strong holds a comment even when ham evidence as strong cancels it out. */
const UNSURE_EVIDENCE = 0.9;
/** The features of who wrote a comment and where it points (links, hosts, name, website, email). */
const WHO = /^(?:links|host|hostword|tld|path|name|site|site-hostword|site-tld|mail):/;
/** A comment whose author and links alone score at least this is held, whatever its words say. */
const WHO_HOLD = 0.9;

/** The comment's spamminess from its features' counts (`counts.get(DOCUMENTS)` holds the totals). */
export function score(featureList: string[], counts: Map<string, FeatureCounts>): Score {
  const docs = counts.get(DOCUMENTS) ?? { spam: 0, ham: 0 };
  const trained = docs.spam >= MIN_TRAINING && docs.ham >= MIN_TRAINING;
  const settled = docs.spam >= MIN_TRAINING_TO_FILE && docs.ham >= MIN_TRAINING_TO_FILE;
  const clues: { feature: string; p: number }[] = [];
  for (const feature of featureList) {
    const c = counts.get(feature);
    if (!c || c.spam + c.ham === 0) continue;
    const spamRatio = docs.spam ? c.spam / docs.spam : 0;
    const hamRatio = docs.ham ? c.ham / docs.ham : 0;
    if (spamRatio + hamRatio === 0) continue;
    const raw = spamRatio / (spamRatio + hamRatio);
    const n = c.spam + c.ham;
    const p = (STRENGTH * PRIOR + n * raw) / (STRENGTH + n);
    if (Math.abs(p - 0.5) >= MIN_DEVIATION) clues.push({ feature, p: Math.min(0.99, Math.max(0.01, p)) });
  }
  clues.sort((a, b) => Math.abs(b.p - 0.5) - Math.abs(a.p - 0.5));
  const used = clues.slice(0, MAX_CLUES);
  if (!used.length) return { score: 0.5, spammy: [], trained, settled, unsure: false };
  const { s, h } = fisher(used);
  const spammy = used
    .filter((c) => c.p > 0.5)
    .sort((a, b) => b.p - a.p)
    .slice(0, 5)
    .map((c) => c.feature);
  // Who wrote it and where it points, on their own: a spam written in a reader's words is betrayed
  // by its links and its author even when its words say ham.
  const who = fisher(clues.filter((c) => WHO.test(c.feature)).slice(0, MAX_CLUES));
  const conflicting = s >= UNSURE_EVIDENCE && h >= UNSURE_EVIDENCE;
  return { score: (s - h + 1) / 2, spammy, trained, settled, unsure: conflicting || (who.s - who.h + 1) / 2 >= WHO_HOLD };
}

/** Fisher's combining of clues: how strongly they say spam (`s`) and ham (`h`), each 0 to 1. */
function fisher(used: { p: number }[]): { s: number; h: number } {
  if (!used.length) return { s: 0, h: 0 };
  let hamLog = 0;
  let spamLog = 0;
  for (const { p } of used) {
    hamLog += Math.log(p);
    spamLog += Math.log(1 - p);
  }
  return { s: 1 - chi2Q(-2 * spamLog, 2 * used.length), h: 1 - chi2Q(-2 * hamLog, 2 * used.length) };
}

/** How a decision changes the counts: +1 on each feature for the class learned, -1 for the one unlearned. */
export function trainingDelta(featureList: string[], learn: "spam" | "ham" | null, unlearn: "spam" | "ham" | null): Map<string, FeatureCounts> {
  const delta = new Map<string, FeatureCounts>();
  if (learn === unlearn) return delta;
  for (const f of [...featureList, DOCUMENTS]) {
    const d = { spam: 0, ham: 0 };
    if (learn) d[learn] += 1;
    if (unlearn) d[unlearn] -= 1;
    delta.set(f, d);
  }
  return delta;
}

/** Sums several deltas (a bulk decision). */
export function addDeltas(into: Map<string, FeatureCounts>, more: Map<string, FeatureCounts>): void {
  for (const [f, d] of more) {
    const c = into.get(f) ?? { spam: 0, ham: 0 };
    c.spam += d.spam;
    c.ham += d.ham;
    into.set(f, c);
  }
}

/**
 * What the filter alone makes of a score: spam, hold for the author, or nothing to say. A hold
 * threshold of 1 turns its holds off (doubts included), a spam threshold of 1 its filing.
 */
export function filterVerdict(s: Score, thresholds: { spam: number; hold: number }): "spam" | "hold" | null {
  if (!s.trained) return null;
  if (s.score >= thresholds.spam && s.settled && thresholds.spam < 1) return "spam";
  if ((s.score >= thresholds.hold || s.unsure) && thresholds.hold < 1) return "hold";
  return null;
}
