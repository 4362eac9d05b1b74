ALTER TABLE `subscriptions` ADD `confirmed_at` integer;--> statement-breakpoint
-- Threads followed before their address was confirmed were covered by that confirmation; those
-- added afterwards were never consented to (anyone could add them by typing the address), and
-- wait for a confirmation of their own.
UPDATE `subscriptions` SET `confirmed_at` = (SELECT `confirmed_at` FROM `subscribers` WHERE `subscribers`.`email` = `subscriptions`.`email` AND `subscribers`.`confirmed_at` >= `subscriptions`.`created_at`);
