// Faces: each commenter's identicon, drawn by billet from the keyed hash that names it (see
// auth/faces.ts), so that no face ever comes from elsewhere or tells anything of an address.

/** A face's name: hex digits of a keyed hash, never of an email alone. */
export const FACE_KEY = /^[0-9a-f]{20}$/;

/** The address a face is served at (the same on the page, in the JSON and in the JSON-LD). */
export function facePath(key: string): string {
  return `/avatars/${key}.svg`;
}

/** A face to fetch from Libravatar or Gravatar: its key, and the email's hash sealed (auth/tokens.ts). */
export function remoteFacePath(key: string, sealed: string): string {
  return `/avatars/${key}-${sealed}`;
}

/** The parts of a face's name, or null. */
export function faceName(name: string): { key: string; sealed: string | null } | null {
  const m = /^([0-9a-f]{20})(?:\.svg|-([\w-]{80}))$/.exec(name);
  return m ? { key: m[1], sealed: m[2] ?? null } : null;
}

/**
 * A 5×5 symmetric pattern (15 cells of the key's bits) in one of 360 hues and 4 saturations, on
 * a tint of its own colour. Distinct keys give distinct faces but for one chance in millions.
 */
export function identiconSvg(key: string): string {
  const n = (from: number, to: number) => Number.parseInt(key.slice(from, to), 16);
  const hue = n(0, 3) % 360;
  const cells = n(3, 7);
  // A pattern with fewer than four cells looks empty: more of the hash's bits are added.
  let pattern = cells & 0x7fff;
  for (let at = 7; popCount(pattern) < 4 && at + 4 <= key.length; at += 4) pattern |= n(at, at + 4) & 0x7fff;
  if (popCount(pattern) < 4) pattern |= 0x4a52;
  const sat = 45 + (n(11, 12) % 4) * 8;
  const rects: string[] = [];
  for (let i = 0; i < 15; i++) {
    if (!(pattern & (1 << i))) continue;
    const col = Math.floor(i / 5);
    const row = i % 5;
    const xs = col === 2 ? [2] : [col, 4 - col];
    for (const x of xs) rects.push(`M${x + 1} ${row + 1}h1v1h-1z`);
  }
  // Colours as attributes, not a <style>: the site's Content-Security-Policy allows no inline style.
  // A mid-light tile reads on a light page and, softened by billet.css, on a dark one.
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 7 7" width="64" height="64">` +
    `<rect width="7" height="7" rx="1" fill="hsl(${hue},${sat}%,88%)"/>` +
    `<path fill="hsl(${hue},${sat}%,38%)" d="${rects.join("")}"/></svg>`
  );
}

function popCount(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}
