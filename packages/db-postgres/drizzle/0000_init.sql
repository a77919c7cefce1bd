CREATE TABLE "cycle_log" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "cycle_log_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" text NOT NULL,
	"started_at" bigint NOT NULL,
	"finished_at" bigint NOT NULL,
	"invariants" integer NOT NULL,
	"violations" integer NOT NULL,
	"unknown" integer NOT NULL,
	"opened" integer NOT NULL,
	"resolved" integer NOT NULL,
	"failures" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_states" (
	"key" text PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"invariant" text NOT NULL,
	"entity" text NOT NULL,
	"pending_since" bigint,
	"clear_since" bigint,
	"history" text DEFAULT '' NOT NULL,
	"onsets" text DEFAULT '[]' NOT NULL,
	"flapping" boolean DEFAULT false NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_channels" (
	"channel" text PRIMARY KEY NOT NULL,
	"cursor" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"last_success_at" bigint,
	"last_error_at" bigint,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"channel" text NOT NULL,
	"event_id" bigint NOT NULL,
	"key" text NOT NULL,
	"event_at" bigint NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint DEFAULT 0 NOT NULL,
	"last_error" text,
	"delivered_at" bigint,
	CONSTRAINT "notification_deliveries_channel_event_id_pk" PRIMARY KEY("channel","event_id"),
	CONSTRAINT "notification_deliveries_state_valid" CHECK (state IN ('pending', 'delivered', 'failed', 'withheld'))
);
--> statement-breakpoint
CREATE TABLE "silences" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "silences_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"matchers" text NOT NULL,
	"starts_at" bigint NOT NULL,
	"ends_at" bigint NOT NULL,
	"created_by" text NOT NULL,
	"comment" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expired_at" bigint,
	"expired_by" text,
	CONSTRAINT "silences_ends_after_start" CHECK (ends_at > starts_at)
);
--> statement-breakpoint
CREATE TABLE "subject_identities" (
	"subject" text PRIMARY KEY NOT NULL,
	"identity" text NOT NULL,
	"pending" text,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ticket_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"ticket_id" bigint NOT NULL,
	"at" bigint NOT NULL,
	"actor" text NOT NULL,
	"kind" text NOT NULL,
	"from_value" text,
	"to_value" text,
	"comment" text
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tickets_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"key" text NOT NULL,
	"subject" text NOT NULL,
	"invariant" text NOT NULL,
	"entity" text NOT NULL,
	"severity" text NOT NULL,
	"status" text NOT NULL,
	"held" boolean DEFAULT false NOT NULL,
	"flapping" boolean DEFAULT false NOT NULL,
	"silenced" boolean DEFAULT false NOT NULL,
	"message" text NOT NULL,
	"first_seen_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"occurrence_count" integer DEFAULT 1 NOT NULL,
	"batch_key" text NOT NULL,
	"previous_ticket_id" bigint,
	"first_values" text NOT NULL,
	"last_values" text NOT NULL,
	"diagnosis" text,
	"acknowledged_at" bigint,
	"acknowledged_by" text,
	"resolved_at" bigint,
	"resolved_by" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "tickets_status_valid" CHECK (status IN ('open', 'acknowledged', 'diagnosed', 'resolved')),
	CONSTRAINT "tickets_severity_valid" CHECK (severity IN ('critical', 'warning', 'info')),
	CONSTRAINT "tickets_resolved_has_time" CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_channel_notification_channels_channel_fk" FOREIGN KEY ("channel") REFERENCES "public"."notification_channels"("channel") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_event_id_ticket_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."ticket_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_previous_ticket_id_tickets_id_fk" FOREIGN KEY ("previous_ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cycle_log_started_at" ON "cycle_log" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "key_states_subject" ON "key_states" USING btree ("subject");--> statement-breakpoint
CREATE INDEX "notification_deliveries_pending" ON "notification_deliveries" USING btree ("channel","key","event_id") WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX "notification_deliveries_state" ON "notification_deliveries" USING btree ("channel","state");--> statement-breakpoint
CREATE INDEX "silences_ends_at" ON "silences" USING btree ("ends_at");--> statement-breakpoint
CREATE INDEX "ticket_events_ticket_id" ON "ticket_events" USING btree ("ticket_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_one_unresolved_per_key" ON "tickets" USING btree ("key") WHERE status <> 'resolved';--> statement-breakpoint
CREATE INDEX "tickets_unresolved_subject" ON "tickets" USING btree ("subject") WHERE status <> 'resolved';--> statement-breakpoint
CREATE INDEX "tickets_key_id" ON "tickets" USING btree ("key","id");--> statement-breakpoint
CREATE INDEX "tickets_status_id" ON "tickets" USING btree ("status","id");