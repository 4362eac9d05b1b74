CREATE TABLE `comments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`post_slug` text NOT NULL,
	`parent_id` integer,
	`root_id` integer,
	`depth` integer DEFAULT 0 NOT NULL,
	`author_name` text NOT NULL,
	`author_email` text,
	`author_url` text,
	`content` text NOT NULL,
	`html` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`held_for` text,
	`created_at` integer NOT NULL,
	`edited_at` integer,
	`updated_at` integer NOT NULL,
	`ip_hash` text,
	`edit_token_hash` text
);
--> statement-breakpoint
CREATE INDEX `comments_post_status_id` ON `comments` (`post_slug`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `comments_post_status_root` ON `comments` (`post_slug`,`status`,`root_id`,`id`);--> statement-breakpoint
CREATE INDEX `comments_status_id` ON `comments` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `comments_email` ON `comments` (`author_email`,`status`);