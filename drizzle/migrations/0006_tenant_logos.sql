-- Tenants' logos (drizzle/schema/identity.ts), with the row-level security of migration 0002:
-- anyone reads a logo (it is public, like the tenant's published events); only its tenant (or
-- system access) writes it.
CREATE TABLE "tenant_logos" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"content_type" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_logos_content_type" CHECK ("tenant_logos"."content_type" in ('image/png', 'image/jpeg', 'image/webp')),
	CONSTRAINT "tenant_logos_size" CHECK (octet_length("tenant_logos"."bytes") between 1 and 102400)
);
--> statement-breakpoint
ALTER TABLE "tenant_logos" ADD CONSTRAINT "tenant_logos_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
SELECT public.attach_updated_at_triggers();
--> statement-breakpoint
ALTER TABLE public.tenant_logos ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.tenant_logos FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_logos_read ON public.tenant_logos FOR SELECT USING (true);
--> statement-breakpoint
CREATE POLICY tenant_logos_write ON public.tenant_logos FOR ALL
  USING (tenant_id = public.app_tenant_id() OR public.app_is_system())
  WITH CHECK (tenant_id = public.app_tenant_id() OR public.app_is_system());
