ALTER TABLE `post_versions` ADD `approved` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `post_versions` ADD `threads` integer DEFAULT 0 NOT NULL;