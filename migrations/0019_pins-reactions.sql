CREATE TABLE `pins` (
	`thread_id` integer PRIMARY KEY NOT NULL,
	`post_slug` text NOT NULL,
	`pinned_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `pins_post` ON `pins` (`post_slug`);--> statement-breakpoint
CREATE TABLE `reactions` (
	`comment_id` integer NOT NULL,
	`reader` text NOT NULL,
	`network` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reactions_comment_reader` ON `reactions` (`comment_id`,`reader`);--> statement-breakpoint
CREATE INDEX `reactions_comment_network` ON `reactions` (`comment_id`,`network`);