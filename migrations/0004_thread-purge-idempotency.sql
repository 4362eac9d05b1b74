CREATE TABLE `post_versions` (
	`post_slug` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
DROP INDEX `comments_post_status_root`;--> statement-breakpoint
DROP INDEX `comments_no_duplicates`;--> statement-breakpoint
ALTER TABLE `comments` ADD `thread_id` integer GENERATED ALWAYS AS (coalesce(root_id, id)) VIRTUAL;--> statement-breakpoint
ALTER TABLE `comments` ADD `idempotency_key` text;--> statement-breakpoint
CREATE INDEX `comments_post_status_thread` ON `comments` (`post_slug`,`status`,`thread_id`,`id`);--> statement-breakpoint
CREATE INDEX `comments_parent` ON `comments` (`parent_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `comments_idempotency` ON `comments` (`post_slug`,`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `comments_no_duplicates` ON `comments` (`post_slug`,`content_hash`) WHERE "comments"."status" in ('approved', 'pending');