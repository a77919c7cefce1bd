CREATE TABLE `notification_channels` (
	`channel` text PRIMARY KEY NOT NULL,
	`cursor` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_success_at` integer,
	`last_error_at` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE TABLE `notification_deliveries` (
	`channel` text NOT NULL,
	`event_id` integer NOT NULL,
	`key` text NOT NULL,
	`event_at` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`delivered_at` integer,
	PRIMARY KEY(`channel`, `event_id`),
	FOREIGN KEY (`channel`) REFERENCES `notification_channels`(`channel`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`event_id`) REFERENCES `ticket_events`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "notification_deliveries_state_valid" CHECK(state IN ('pending', 'delivered', 'failed', 'withheld'))
);
--> statement-breakpoint
CREATE INDEX `notification_deliveries_pending` ON `notification_deliveries` (`channel`,`key`,`event_id`) WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX `notification_deliveries_state` ON `notification_deliveries` (`channel`,`state`);