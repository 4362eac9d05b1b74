// The model tests' fixture site (Node side): 164 generated posts, built like the real site into
// build/model-site/ (public/ for the ASSETS binding, kv-posts.json for KV). scripts/test.ts builds
// it before vitest runs; vitest.config.ts builds it when it is missing (and reads it from the same
// paths: keep them in step).
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSite } from "../../scripts/build.ts";
import { CONTENT, ROOT } from "../../scripts/content.ts";

export const MODEL_SITE = join(ROOT, "build", "model-site");
export const MODEL_PUBLIC = join(MODEL_SITE, "public");
export const MODEL_KV = join(MODEL_SITE, "kv-posts.json");
export const POST_COUNT = 164;

const FR_WORDS = ["réseaux", "lecture", "fédération", "carnet", "été", "forum", "courriel", "archives", "hébergement", "liens"];
const EN_WORDS = ["feeds", "notes", "gardens", "threads", "blogrolls"];

/** Slug, title and language of the i-th post: every 12th in English, the others in French. */
export function modelPost(i: number): { slug: string; title: string; lang: "fr" | "en" } {
  const n = String(i + 1).padStart(3, "0");
  if (i % 12 === 5) {
    const w = EN_WORDS[i % EN_WORDS.length];
    return { slug: `note-${n}-on-${w}`, title: `Note ${n} on ${w}`, lang: "en" };
  }
  const w = FR_WORDS[i % FR_WORDS.length];
  return { slug: `billet-${n}-${w.normalize("NFD").replace(/[\u0300-\u036f]/g, "")}`, title: `Billet ${n} : ${w} & « guillemets »`, lang: "fr" };
}

function markdown(i: number): string {
  const { title, lang } = modelPost(i);
  const date = new Date(Date.UTC(2009, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
  const body =
    lang === "en"
      ? `A short post, number ${i + 1}, for the comment tests.\n\nA second paragraph with *emphasis*.\n`
      : `Un court billet, le numéro ${i + 1}, pour les tests des commentaires.\n\nUn second paragraphe avec de l’*emphase*.\n`;
  return `---\ntitle: ${JSON.stringify(title)}\ndate: ${date}\nlang: ${lang}\ntags: [modele]\n---\n\n${body}`;
}

/** Writes the content folder and builds it (pages and records only: no widget bundle). */
export async function buildModelSite(): Promise<void> {
  const content = join(MODEL_SITE, "content");
  rmSync(content, { recursive: true, force: true });
  mkdirSync(join(content, "posts"), { recursive: true });
  copyFileSync(join(CONTENT, "site.json"), join(content, "site.json"));
  for (let i = 0; i < POST_COUNT; i++) writeFileSync(join(content, "posts", `${modelPost(i).slug}.md`), markdown(i));
  await buildSite({ content, public: MODEL_PUBLIC, build: MODEL_SITE, scripts: false });
}
