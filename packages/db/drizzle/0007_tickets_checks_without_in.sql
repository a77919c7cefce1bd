-- The ticket table rebuilt with its status and severity checks as OR chains (SQLite has no ALTER for a
-- CHECK). migrate() runs it with foreign keys off and checks them before it commits; the table's
-- triggers go with the old table and are created again.
CREATE TABLE `__new_tickets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`subject` text NOT NULL,
	`invariant` text NOT NULL,
	`entity` text NOT NULL,
	`severity` text NOT NULL,
	`status` text NOT NULL,
	`held` integer DEFAULT false NOT NULL,
	`flapping` integer DEFAULT false NOT NULL,
	`silenced` integer DEFAULT false NOT NULL,
	`message` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`occurrence_count` integer DEFAULT 1 NOT NULL,
	`batch_key` text NOT NULL,
	`previous_ticket_id` integer,
	`first_values` text NOT NULL,
	`last_values` text NOT NULL,
	`runbook` text,
	`diagnosis` text,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	`resolved_at` integer,
	`resolved_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`previous_ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "tickets_status_valid" CHECK(status = 'open' OR status = 'acknowledged' OR status = 'diagnosed' OR status = 'resolved'),
	CONSTRAINT "tickets_severity_valid" CHECK(severity = 'critical' OR severity = 'warning' OR severity = 'info'),
	CONSTRAINT "tickets_resolved_has_time" CHECK((status = 'resolved') = (resolved_at IS NOT NULL))
);
--> statement-breakpoint
INSERT INTO `__new_tickets`("id", "key", "subject", "invariant", "entity", "severity", "status", "held", "flapping", "silenced", "message", "first_seen_at", "last_seen_at", "occurrence_count", "batch_key", "previous_ticket_id", "first_values", "last_values", "runbook", "diagnosis", "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by", "created_at", "updated_at") SELECT "id", "key", "subject", "invariant", "entity", "severity", "status", "held", "flapping", "silenced", "message", "first_seen_at", "last_seen_at", "occurrence_count", "batch_key", "previous_ticket_id", "first_values", "last_values", "runbook", "diagnosis", "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by", "created_at", "updated_at" FROM `tickets`;--> statement-breakpoint
DROP TABLE `tickets`;--> statement-breakpoint
ALTER TABLE `__new_tickets` RENAME TO `tickets`;--> statement-breakpoint
CREATE UNIQUE INDEX `tickets_one_unresolved_per_key` ON `tickets` (`key`) WHERE status <> 'resolved';--> statement-breakpoint
CREATE INDEX `tickets_key_id` ON `tickets` (`key`,`id`);--> statement-breakpoint
CREATE INDEX `tickets_status_id` ON `tickets` (`status`,`id`);--> statement-breakpoint
CREATE TRIGGER `tickets_no_delete` BEFORE DELETE ON `tickets`
BEGIN
	SELECT RAISE(ABORT, 'tickets are never deleted: resolve them instead');
END;
--> statement-breakpoint
CREATE TRIGGER `tickets_no_reopen` BEFORE UPDATE OF `status` ON `tickets`
WHEN OLD.status = 'resolved' AND NEW.status <> 'resolved'
BEGIN
	SELECT RAISE(ABORT, 'a resolved ticket cannot be reopened: a recurrence opens a new ticket');
END;
