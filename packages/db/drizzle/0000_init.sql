CREATE TABLE `cycle_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer NOT NULL,
	`invariants` integer NOT NULL,
	`violations` integer NOT NULL,
	`unknown` integer NOT NULL,
	`opened` integer NOT NULL,
	`resolved` integer NOT NULL,
	`failures` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cycle_log_started_at` ON `cycle_log` (`started_at`);--> statement-breakpoint
CREATE TABLE `key_states` (
	`key` text PRIMARY KEY NOT NULL,
	`subject` text NOT NULL,
	`invariant` text NOT NULL,
	`entity` text NOT NULL,
	`pending_since` integer,
	`clear_since` integer,
	`history` text DEFAULT '' NOT NULL,
	`onsets` text DEFAULT '[]' NOT NULL,
	`flapping` integer DEFAULT false NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `key_states_subject` ON `key_states` (`subject`);--> statement-breakpoint
CREATE TABLE `ticket_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ticket_id` integer NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`kind` text NOT NULL,
	`from_value` text,
	`to_value` text,
	`comment` text,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ticket_events_ticket_id` ON `ticket_events` (`ticket_id`,`id`);--> statement-breakpoint
CREATE TABLE `tickets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`subject` text NOT NULL,
	`invariant` text NOT NULL,
	`entity` text NOT NULL,
	`severity` text NOT NULL,
	`status` text NOT NULL,
	`held` integer DEFAULT false NOT NULL,
	`flapping` integer DEFAULT false NOT NULL,
	`message` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`occurrence_count` integer DEFAULT 1 NOT NULL,
	`batch_key` text NOT NULL,
	`previous_ticket_id` integer,
	`first_values` text NOT NULL,
	`last_values` text NOT NULL,
	`diagnosis` text,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	`resolved_at` integer,
	`resolved_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`previous_ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "tickets_status_valid" CHECK(status IN ('open', 'acknowledged', 'diagnosed', 'resolved')),
	CONSTRAINT "tickets_severity_valid" CHECK(severity IN ('critical', 'warning', 'info')),
	CONSTRAINT "tickets_resolved_has_time" CHECK((status = 'resolved') = (resolved_at IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tickets_one_unresolved_per_key` ON `tickets` (`key`) WHERE status <> 'resolved';--> statement-breakpoint
CREATE INDEX `tickets_key_id` ON `tickets` (`key`,`id`);--> statement-breakpoint
CREATE INDEX `tickets_status_id` ON `tickets` (`status`,`id`);