-- Custom SQL migration (drizzle-kit generate --custom): what drizzle-kit cannot express.
--   1. updated_at maintenance: set_updated_at() + attach_updated_at_triggers()
--   2. booking_seats kept in step with bookings.status (released_at)
--   3. audit_logs, range-partitioned by month, its default partition, and
--      create_audit_log_partitions(from_month, months)
-- drizzle's migrator runs each chunk between statement breakpoints as one statement, all migrations
-- in one transaction; keep a breakpoint after every statement.

-- 1. updated_at ---------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION public.set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- a no-op UPDATE (same values) leaves updated_at alone
  IF ROW(NEW.*) IS DISTINCT FROM ROW(OLD.*) THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
COMMENT ON FUNCTION public.set_updated_at() IS
  'BEFORE UPDATE row trigger: stamps updated_at with the transaction time when the row changed.';
--> statement-breakpoint

-- Gives every table in public that has an updated_at column (and is not a partition) the
-- set_updated_at trigger, skipping tables that have it. Idempotent: a later migration that adds a
-- table ends with `SELECT public.attach_updated_at_triggers();` (schema.test.ts checks every table).
CREATE OR REPLACE FUNCTION public.attach_updated_at_triggers() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  target regclass;
  attached integer := 0;
BEGIN
  FOR target IN
    SELECT c.oid::regclass
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_attribute a
      ON a.attrelid = c.oid AND a.attname = 'updated_at' AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname = 'public'
      AND c.relkind IN ('r', 'p')
      AND NOT c.relispartition
      AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'set_updated_at'
      )
    ORDER BY c.relname
  LOOP
    EXECUTE format(
      'CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION public.set_updated_at()',
      target
    );
    attached := attached + 1;
  END LOOP;
  RETURN attached;
END
$$;
--> statement-breakpoint
SELECT public.attach_updated_at_triggers();
--> statement-breakpoint

-- 2. booking_seats.released_at follows bookings.status -----------------------------------------
-- A seat is held while its booking_seats row has released_at IS NULL (partial unique index
-- booking_seats_live_seat_key). These two triggers make that equal to "the booking is live":

-- (a) a booking that becomes cancelled or expired releases its seats in the same statement.
CREATE OR REPLACE FUNCTION public.release_booking_seats() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE public.booking_seats
  SET released_at = now()
  WHERE booking_id = NEW.id AND released_at IS NULL;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER bookings_release_seats
AFTER UPDATE OF status ON public.bookings
FOR EACH ROW
WHEN (NEW.status IN ('cancelled', 'expired') AND OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION public.release_booking_seats();
--> statement-breakpoint

-- (b) a seat row added to a booking that is already cancelled/expired (an out-of-order event) is
-- born released, so it cannot block the seat. FOR SHARE on the booking serialises this against a
-- concurrent cancel (whose UPDATE takes FOR NO KEY UPDATE): either the cancel waits and then sees
-- the new seat row, or this insert waits and then sees the cancelled status.
CREATE OR REPLACE FUNCTION public.booking_seats_inherit_release() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  booking_state public.booking_status;
BEGIN
  SELECT status INTO booking_state FROM public.bookings WHERE id = NEW.booking_id FOR SHARE;
  IF NEW.released_at IS NULL AND booking_state IN ('cancelled', 'expired') THEN
    NEW.released_at := now();
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER booking_seats_inherit_release
BEFORE INSERT ON public.booking_seats
FOR EACH ROW
EXECUTE FUNCTION public.booking_seats_inherit_release();
--> statement-breakpoint

-- 3. audit_logs --------------------------------------------------------------------------------
-- Monthly range partitions on created_at (UTC months), named audit_logs_YYYY_MM, plus
-- audit_logs_default so an insert for a month without a partition never fails. Must match
-- drizzle/schema/audit.ts column for column.

CREATE TABLE public.audit_logs (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  actor_id uuid,
  tenant_id uuid,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text,
  before jsonb,
  after jsonb,
  ip inet,
  request_id text,
  CONSTRAINT audit_logs_pkey PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
--> statement-breakpoint
COMMENT ON TABLE public.audit_logs IS
  'Append-only audit trail, partitioned by UTC month on created_at. Retention: drop or detach old partitions.';
--> statement-breakpoint
CREATE INDEX audit_logs_entity_idx ON public.audit_logs (entity_type, entity_id, created_at);
--> statement-breakpoint
CREATE INDEX audit_logs_actor_id_created_at_idx ON public.audit_logs (actor_id, created_at);
--> statement-breakpoint
CREATE INDEX audit_logs_tenant_id_created_at_idx ON public.audit_logs (tenant_id, created_at);
--> statement-breakpoint
CREATE TABLE public.audit_logs_default PARTITION OF public.audit_logs DEFAULT;
--> statement-breakpoint

-- Audit rows are immutable: UPDATE is refused (row trigger, cloned onto every partition).
-- DELETE stays possible for erasure requests and for moving rows out of the default partition.
CREATE OR REPLACE FUNCTION public.audit_logs_reject_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_logs rows are immutable'
    USING ERRCODE = 'object_not_in_prerequisite_state',
          HINT = 'Insert a new audit row instead of changing an old one.';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_logs_reject_update
BEFORE UPDATE ON public.audit_logs
FOR EACH ROW
EXECUTE FUNCTION public.audit_logs_reject_update();
--> statement-breakpoint

-- create_audit_log_partitions(from_month, months): ensures the monthly partitions for `months`
-- consecutive UTC months starting with the month containing `from_month` exist; returns how many
-- it created (0 when all existed: idempotent). Rows that already landed in audit_logs_default for
-- such a month are moved into the new partition, because PostgreSQL refuses to create a partition
-- whose range still has rows in the default partition. Run it ahead of time (e.g. from the monthly
-- maintenance job) so the default partition stays empty in normal operation.
CREATE OR REPLACE FUNCTION public.create_audit_log_partitions(from_month date, months integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  first_month date;
  month_start date;
  lower_bound timestamptz;
  upper_bound timestamptz;
  lower_literal text;
  upper_literal text;
  partition_name text;
  created integer := 0;
BEGIN
  IF from_month IS NULL OR months IS NULL OR months < 0 THEN
    RAISE EXCEPTION 'create_audit_log_partitions(from_month, months): from_month is required and months must be >= 0 (got %, %)',
      from_month, months
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- one maintainer at a time (a cron job and a migration may overlap)
  PERFORM pg_advisory_xact_lock(hashtext('public.create_audit_log_partitions'));

  first_month := date_trunc('month', from_month)::date;
  FOR i IN 0 .. months - 1 LOOP
    month_start := (first_month + interval '1 month' * i)::date;
    -- bounds are UTC midnights whatever the session's TimeZone/DateStyle, hence explicit literals
    lower_literal := to_char(month_start, 'YYYY-MM-DD') || ' 00:00:00+00';
    upper_literal := to_char(month_start + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00';
    lower_bound := lower_literal::timestamptz;
    upper_bound := upper_literal::timestamptz;
    partition_name := 'audit_logs_' || to_char(month_start, 'YYYY_MM');

    CONTINUE WHEN to_regclass(format('public.%I', partition_name)) IS NOT NULL;

    IF EXISTS (
      SELECT 1 FROM public.audit_logs_default
      WHERE created_at >= lower_bound AND created_at < upper_bound
    ) THEN
      EXECUTE format('CREATE TABLE public.%I (LIKE public.audit_logs INCLUDING DEFAULTS)', partition_name);
      EXECUTE format(
        'WITH moved AS (DELETE FROM public.audit_logs_default WHERE created_at >= %L AND created_at < %L RETURNING *) '
        || 'INSERT INTO public.%I SELECT * FROM moved',
        lower_literal, upper_literal, partition_name
      );
      EXECUTE format(
        'ALTER TABLE public.audit_logs ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)',
        partition_name, lower_literal, upper_literal
      );
    ELSE
      EXECUTE format(
        'CREATE TABLE public.%I PARTITION OF public.audit_logs FOR VALUES FROM (%L) TO (%L)',
        partition_name, lower_literal, upper_literal
      );
    END IF;
    created := created + 1;
  END LOOP;
  RETURN created;
END
$$;
--> statement-breakpoint
COMMENT ON FUNCTION public.create_audit_log_partitions(date, integer) IS
  'Creates missing monthly audit_logs partitions (UTC months) for `months` months from the month of `from_month`; idempotent; returns the number created.';
--> statement-breakpoint

-- the current UTC month and the next three
SELECT public.create_audit_log_partitions((now() AT TIME ZONE 'UTC')::date, 4);
