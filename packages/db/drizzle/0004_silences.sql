CREATE TABLE `silences` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`matchers` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`comment` text NOT NULL,
	`created_at` integer NOT NULL,
	`expired_at` integer,
	`expired_by` text,
	CONSTRAINT "silences_ends_after_start" CHECK(ends_at > starts_at)
);
--> statement-breakpoint
CREATE INDEX `silences_ends_at` ON `silences` (`ends_at`);--> statement-breakpoint
ALTER TABLE `tickets` ADD `silenced` integer DEFAULT false NOT NULL;