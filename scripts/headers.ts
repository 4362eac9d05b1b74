// public/_headers: the headers of the static assets (pages the Worker does not run for), the same
// ones the Worker sets on what it answers (workers/http/answers.ts), the CSP from the one function both use.
import { contentSecurityPolicy, siteHosts, type CspSite } from "../workers/http/csp.ts";
import { MEDIA_CACHE_CONTROL } from "../workers/store/media.ts";

/** The hosts of site.json's media_hosts and embed_hosts; an entry that is not a host name is refused. */
export function checkedHosts(site: CspSite): { mediaHosts: string[]; embedHosts: string[] } {
  const media = siteHosts(site.media_hosts);
  const embed = siteHosts(site.embed_hosts);
  const bad = [...media.invalid.map((h) => `media_hosts: "${h}"`), ...embed.invalid.map((h) => `embed_hosts: "${h}"`)];
  if (bad.length) throw new Error(`content/site.json: not a host name (write it as media.example.org): ${bad.join(", ")}`);
  return { mediaHosts: media.hosts, embedHosts: embed.hosts };
}

export function headersFile(site: CspSite): string {
  return [
    "# Made by npm run build from content/site.json (media_hosts, embed_hosts): edit those, not this file.",
    "# Headers for the static assets (pages the Worker does not run for). The Worker sets the same ones",
    "# on what it answers (workers/http/answers.ts); both take the CSP from workers/http/csp.ts.",
    "/*",
    "  X-Content-Type-Options: nosniff",
    "  Referrer-Policy: strict-origin-when-cross-origin",
    "  X-Frame-Options: DENY",
    `  Content-Security-Policy: ${contentSecurityPolicy({ turnstile: false, ...checkedHosts(site) })}`,
    "# The old blog's media: a WordPress upload never changes under its name.",
    "/media/*",
    `  Cache-Control: ${MEDIA_CACHE_CONTROL}`,
    "# Feeds are Atom (the Worker's own feeds say so too: workers/routes/feeds.ts).",
    ...["/feed.xml", "/tags/:slug/feed.xml", "/categories/:slug/feed.xml"].flatMap((path) => [path, "  Content-Type: application/atom+xml; charset=utf-8"]),
    "",
  ].join("\n");
}
