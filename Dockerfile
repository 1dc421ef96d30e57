# syntax=docker/dockerfile:1.7
# One image for every service and worker of the monorepo; the Deployment (charts/) chooses the
# entrypoint with `args`, e.g. ["services/booking/bin/booking.ts"] or ["services/payment/bin/payment-worker.ts"].
# Production dependencies only, a non-root user, nothing written to the image's filesystem at
# run time (the root filesystem can be mounted read-only), no HEALTHCHECK: Kubernetes probes
# /healthz and /readyz.
ARG BUN_VERSION=1.4.5

FROM oven/bun:${BUN_VERSION}-debian AS dependencies
WORKDIR /app
# Only the manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json bun.lock bunfig.toml ./
COPY drizzle/package.json drizzle/package.json
COPY services/lib/package.json services/lib/package.json
COPY services/auth/package.json services/auth/package.json
COPY services/catalog/package.json services/catalog/package.json
COPY services/booking/package.json services/booking/package.json
COPY services/payment/package.json services/payment/package.json
COPY services/projector/package.json services/projector/package.json
COPY services/notification/package.json services/notification/package.json
COPY services/reconciler/package.json services/reconciler/package.json
COPY services/web/package.json services/web/package.json
COPY services/all/package.json services/all/package.json
COPY services/test-support/package.json services/test-support/package.json
RUN bun install --frozen-lockfile --production --ignore-scripts

FROM oven/bun:${BUN_VERSION}-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=dependencies /app/services ./services
COPY package.json bunfig.toml tsconfig.json ./
COPY lua ./lua
COPY drizzle ./drizzle
COPY services ./services
# The image's own user (uid 1000), never root.
USER 1000:1000
STOPSIGNAL SIGTERM
ENTRYPOINT ["bun", "run"]
CMD ["services/all/bin/all.ts"]
