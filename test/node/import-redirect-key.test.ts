// One key for an old address however a link spells it: percent-escapes in either case, decoded or
// not, runs of slashes; the same function for the build's records and the Worker's lookups.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { oldAddressKey } from "../../scripts/redirects.ts";
import { normalizePath, redirectKey } from "../../workers/store/redirect-key.ts";

// Not "." or "..": a browser resolves those before it sends the address (a doubled slash before
// one, "/a//../", would resolve differently from "/a/../", which no link sends either).
const segment = fc.stringMatching(/^[a-zA-Z0-9éàçεληνάδ_.~-]{1,12}$/).filter((s) => !/^\.+$/.test(s) || s.length > 2);
const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `/${s.join("/")}/`);
const lowerEscapes = (p: string) => encodeURI(p).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
const doubled = (p: string, at: number) => {
  const slashes = [...p.matchAll(/\//g)].map((m) => m.index);
  const i = slashes[at % slashes.length];
  return `${p.slice(0, i)}/${p.slice(i)}`;
};
const keyOf = (p: string) => redirectKey(new URL(p.replace(/^\/+/, "/"), "https://billet.test"));

describe("redirectKey", () => {
  it("is the same for a path written as is, with lower- or upper-case escapes, and with a doubled slash", () => {
    fc.assert(
      fc.property(path, fc.nat(), (p, at) => {
        const key = oldAddressKey(p, "");
        expect(keyOf(encodeURI(p))).toBe(key);
        expect(keyOf(lowerEscapes(p))).toBe(key);
        expect(keyOf(doubled(encodeURI(p), at + 1))).toBe(key);
        expect(normalizePath(normalizePath(p))).toBe(normalizePath(p));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps escapes that are not characters of a path, in one case", () => {
    expect(keyOf("/a%2fb/")).toBe("redirect:/a%2Fb/");
    expect(keyOf("/a%2Fb/")).toBe("redirect:/a%2Fb/");
    expect(keyOf("/tag/%ce%b5/")).toBe("redirect:/tag/ε/");
    expect(keyOf("/blog//?p=12")).toBe("redirect:/blog/?p=12");
  });
});
