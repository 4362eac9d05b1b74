CREATE TABLE `threads` (
	`key` text PRIMARY KEY NOT NULL,
	`site` text NOT NULL,
	`url` text NOT NULL,
	`explicit_id` text,
	`title` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text
);
--> statement-breakpoint
CREATE INDEX `threads_site` ON `threads` (`site`,`created_at`);--> statement-breakpoint
CREATE INDEX `threads_created_by` ON `threads` (`created_by`,`created_at`);