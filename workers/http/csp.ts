// The Content-Security-Policy of every answer, built in this one place for the Worker (workers/http/answers.ts)
// and for the static assets (the build writes public/_headers from it): no inline script or style,
// nothing from other sites but Cloudflare Turnstile's challenge when it is on, the hosts the author
// names in content/site.json for media left elsewhere (`media_hosts`: images, audio and video) and
// for embedded players (`embed_hosts`: frames), and no framing of billet itself.
const TURNSTILE = "https://challenges.cloudflare.com";

/** The optional keys of content/site.json the policy reads. */
export interface CspSite {
  media_hosts?: unknown;
  embed_hosts?: unknown;
}

export interface CspOptions {
  turnstile: boolean;
  /** Hosts images, audio and video may come from (besides the site). */
  mediaHosts?: readonly string[];
  /** Hosts whose pages may be framed (video players). */
  embedHosts?: readonly string[];
}

/** A host name as site.json may give it ("media.example.org", "https://media.example.org/"), or null. */
export function normalizeHost(value: string): string | null {
  const host = value
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/\/+$/, "");
  return /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::\d{1,5})?$/.test(host) ? host : null;
}

/** The hosts of one site.json key: valid ones, normalized; `invalid` the entries that are not hosts. */
export function siteHosts(value: unknown): { hosts: string[]; invalid: string[] } {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const hosts: string[] = [];
  const invalid: string[] = [];
  for (const entry of list) {
    const host = typeof entry === "string" ? normalizeHost(entry) : null;
    if (host === null) invalid.push(String(entry));
    else if (!hosts.includes(host)) hosts.push(host);
  }
  return { hosts, invalid };
}

/** The policy's options from site.json (invalid entries are left out; the build refuses them). */
export function cspHostsOf(site: CspSite): Pick<CspOptions, "mediaHosts" | "embedHosts"> {
  return { mediaHosts: siteHosts(site.media_hosts).hosts, embedHosts: siteHosts(site.embed_hosts).hosts };
}

export function contentSecurityPolicy(opts: CspOptions): string {
  const sources = (hosts: readonly string[] | undefined) =>
    (hosts ?? [])
      .map((h) => normalizeHost(h))
      .filter((h): h is string => h !== null)
      .map((h) => ` https://${h}`)
      .join("");
  const media = sources(opts.mediaHosts);
  const scripts = opts.turnstile ? `'self' ${TURNSTILE}` : "'self'";
  return [
    "default-src 'self'",
    `script-src ${scripts}`,
    "style-src 'self'",
    `img-src 'self' data:${media}`,
    `media-src 'self'${media}`,
    `connect-src 'self' ${TURNSTILE}`,
    `frame-src ${TURNSTILE}${sources(opts.embedHosts)}`,
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
