-- Tenant isolation in the database itself (row-level security), under the checks the services make
-- in their queries. Every tenant-owned catalog table gets policies keyed on two settings of the
-- transaction, set by services/lib/src/data/tenant-scope.ts:
--   app.tenant_id  the caller's tenant (unset for the public and for buyers)
--   app.access     'system' for workers and maintenance (projector, reconciler, seed, migrations)
-- FORCE makes the policies bind the table owner too: the services connect as the role that owns
-- the tables, so without it RLS would not apply to them at all.
--
-- Reading: everyone sees published and cancelled events (the public catalog); drafts only the
-- owning tenant. Writing: only the owning tenant. Shows, zones and seats follow their event.

CREATE FUNCTION public.app_tenant_id() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
--> statement-breakpoint
CREATE FUNCTION public.app_is_system() RETURNS boolean
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(current_setting('app.access', true), '') = 'system' $$;
--> statement-breakpoint
ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY events_read ON public.events FOR SELECT
  USING (status <> 'draft' OR tenant_id = public.app_tenant_id() OR public.app_is_system());
--> statement-breakpoint
CREATE POLICY events_write ON public.events FOR ALL
  USING (tenant_id = public.app_tenant_id() OR public.app_is_system())
  WITH CHECK (tenant_id = public.app_tenant_id() OR public.app_is_system());
--> statement-breakpoint
ALTER TABLE public.shows ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.shows FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- The subquery sees events through events' own policies: a show is visible when its event is.
CREATE POLICY shows_read ON public.shows FOR SELECT
  USING (EXISTS (SELECT 1 FROM public.events e WHERE e.id = shows.event_id));
--> statement-breakpoint
CREATE POLICY shows_write ON public.shows FOR ALL
  USING (EXISTS (SELECT 1 FROM public.events e WHERE e.id = shows.event_id AND (e.tenant_id = public.app_tenant_id() OR public.app_is_system())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.events e WHERE e.id = shows.event_id AND (e.tenant_id = public.app_tenant_id() OR public.app_is_system())));
--> statement-breakpoint
ALTER TABLE public.seat_zones ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.seat_zones FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY seat_zones_read ON public.seat_zones FOR SELECT
  USING (EXISTS (SELECT 1 FROM public.shows s WHERE s.id = seat_zones.show_id));
--> statement-breakpoint
CREATE POLICY seat_zones_write ON public.seat_zones FOR ALL
  USING (EXISTS (
    SELECT 1 FROM public.shows s JOIN public.events e ON e.id = s.event_id
    WHERE s.id = seat_zones.show_id AND (e.tenant_id = public.app_tenant_id() OR public.app_is_system())))
  WITH CHECK (EXISTS (
    SELECT 1 FROM public.shows s JOIN public.events e ON e.id = s.event_id
    WHERE s.id = seat_zones.show_id AND (e.tenant_id = public.app_tenant_id() OR public.app_is_system())));
--> statement-breakpoint
ALTER TABLE public.seats ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.seats FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY seats_read ON public.seats FOR SELECT
  USING (EXISTS (SELECT 1 FROM public.seat_zones z WHERE z.id = seats.zone_id));
--> statement-breakpoint
CREATE POLICY seats_write ON public.seats FOR ALL
  USING (EXISTS (
    SELECT 1 FROM public.seat_zones z JOIN public.shows s ON s.id = z.show_id JOIN public.events e ON e.id = s.event_id
    WHERE z.id = seats.zone_id AND (e.tenant_id = public.app_tenant_id() OR public.app_is_system())))
  WITH CHECK (EXISTS (
    SELECT 1 FROM public.seat_zones z JOIN public.shows s ON s.id = z.show_id JOIN public.events e ON e.id = s.event_id
    WHERE z.id = seats.zone_id AND (e.tenant_id = public.app_tenant_id() OR public.app_is_system())));
