CREATE TYPE "public"."queue_order" AS ENUM('fifo', 'random');--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "queue_rate_per_minute" integer DEFAULT 600 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "queue_max_active" integer DEFAULT 1000 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "queue_pass_ttl_seconds" integer DEFAULT 300 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "queue_order" "queue_order" DEFAULT 'random' NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "queue_opens_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "queue_paused" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_queue_rate_per_minute_positive" CHECK ("events"."queue_rate_per_minute" > 0);--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_queue_max_active_positive" CHECK ("events"."queue_max_active" > 0);--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_queue_pass_ttl_seconds_positive" CHECK ("events"."queue_pass_ttl_seconds" > 0);--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_queue_opens_before_booking" CHECK ("events"."queue_opens_at" is null or "events"."queue_opens_at" < "events"."booking_opens_at");