// Browser scripts (the widget, the moderation page): one minified file each, for current browsers.
import { build } from "esbuild";

export async function bundleBrowserScript(entry: string, outfile: string): Promise<void> {
  await build({ entryPoints: [entry], outfile, bundle: true, minify: true, format: "iife", target: ["es2020"], legalComments: "none", logLevel: "warning" });
}
