// What the export says of the old blog (title, address, language, description, its one author,
// and a time zone that gives every post's date its offset), offered for content/site.json: a
// newcomer's site stops calling itself "Le blog d’Arnaud" in French, and shows every time —
// posts' and comments' alike — in the old blog's zone.
import type { Site } from "../content.ts";
import { offsetAt } from "./formats.ts";

/** The starter's site.json (as in the repository): the import fills it in without being asked. */
export const STARTER_URL = "https://billet.example.com";

/** Zones tried first for a language (any other zone with the same offsets comes after). */
const LIKELY_ZONES: Record<string, string[]> = {
  fr: ["Europe/Paris", "Europe/Brussels", "Europe/Zurich", "America/Montreal", "America/Toronto"],
  en: ["Europe/London", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Australia/Sydney"],
  de: ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich"],
  es: ["Europe/Madrid", "America/Mexico_City", "America/Argentina/Buenos_Aires"],
  it: ["Europe/Rome"],
  nl: ["Europe/Amsterdam", "Europe/Brussels"],
  pt: ["Europe/Lisbon", "America/Sao_Paulo"],
};

/** Then these, before the rest of the world in alphabetical order. */
const COMMON_ZONES = ["Europe/Paris", "Europe/London", "America/New_York", "America/Chicago", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney"];

/**
 * A zone whose offset matches every post's (instant, offset) pair: the current one when it does,
 * then the language's likely zones, common ones, then any other; null when none matches (or no dates).
 */
export function zoneOfOffsets(samples: { t: number; offsetMinutes: number }[], lang: string, current: string): string | null {
  if (!samples.length) return null;
  const fits = (zone: string) => {
    try {
      return samples.every((s) => Math.round(offsetAt(s.t, zone) / 60_000) === s.offsetMinutes);
    } catch {
      return false;
    }
  };
  const all = Intl.supportedValuesOf("timeZone");
  const order = [current, ...(LIKELY_ZONES[lang] ?? []), ...COMMON_ZONES, "UTC", ...all];
  return order.find(fits) ?? null;
}

/** An ISO date with its offset ("2009-07-14T10:00:00+02:00") as an instant and the offset in minutes. */
export function offsetSample(iso: string): { t: number; offsetMinutes: number } | null {
  const m = /([+-])(\d{2}):(\d{2})$/.exec(iso);
  const t = Date.parse(iso);
  if (!m || Number.isNaN(t)) return null;
  return { t, offsetMinutes: (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) };
}

export interface SiteOffer {
  /** The fields the export would change in site.json, with their new values. */
  changes: Partial<Site>;
  /** Written into content/site.json (the starter's, or --site-json). */
  written: boolean;
  /** site.json is still the starter's (written unasked, but not on a dry run). */
  starter: boolean;
}

/** The export's values that differ from site.json's. */
export function siteChanges(
  current: Site,
  from: { title?: string; url?: string; lang?: string; description?: string; author?: string; timezone?: string | null },
): Partial<Site> {
  const changes: Partial<Site> = {};
  for (const key of ["title", "description", "author", "url", "lang", "timezone"] as const) {
    const value = from[key];
    if (value && value !== current[key]) changes[key] = value;
  }
  if (changes.url) changes.url = changes.url.replace(/\/+$/, "");
  if (changes.url === current.url) delete changes.url;
  return changes;
}
