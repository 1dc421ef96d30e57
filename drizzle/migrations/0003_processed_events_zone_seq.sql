ALTER TABLE "processed_events" ADD COLUMN "zone_id" uuid;--> statement-breakpoint
ALTER TABLE "processed_events" ADD COLUMN "seq" bigint;--> statement-breakpoint
CREATE INDEX "processed_events_consumer_zone_id_seq_idx" ON "processed_events" USING btree ("consumer","zone_id","seq") WHERE "processed_events"."zone_id" is not null;