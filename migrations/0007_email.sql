CREATE TABLE `subscribers` (
	`email` text PRIMARY KEY NOT NULL,
	`confirmed_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`comment_id` integer NOT NULL,
	`email` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_comment_email` ON `subscriptions` (`comment_id`,`email`);--> statement-breakpoint
CREATE INDEX `subscriptions_email` ON `subscriptions` (`email`);--> statement-breakpoint
CREATE TABLE `used_links` (
	`nonce` text PRIMARY KEY NOT NULL,
	`used_at` integer NOT NULL
);
