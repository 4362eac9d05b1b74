// The Content-Security-Policy of every answer: no inline script or style, nothing from other
// sites but Cloudflare Turnstile's challenge when it is on, no framing.
const TURNSTILE = "https://challenges.cloudflare.com";

export function contentSecurityPolicy(opts: { turnstile: boolean }): string {
  const scripts = opts.turnstile ? `'self' ${TURNSTILE}` : "'self'";
  return [
    "default-src 'self'",
    `script-src ${scripts}`,
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${TURNSTILE}`,
    `frame-src ${TURNSTILE}`,
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
