// Imported first by embed.ts: widget.ts then starts nothing by itself on another site's page.
(globalThis as { billetEmbed?: boolean }).billetEmbed = true;
