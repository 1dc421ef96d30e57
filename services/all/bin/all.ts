/**
 * Development entrypoint: every HTTP service and the web app in one Bun process on one port, with
 * the readiness of every dependency they use.
 */
import { closeRedis, createKafka, createPostgres, createRedis, pingKafka, pingPostgres, pingRedis } from "@booking-rush/lib/clients";
import { runProcess } from "@booking-rush/lib/process";
import { allServices } from "../src/app";
import { allInOneSettings } from "../src/config";

runProcess(allInOneSettings, (config, logger, metrics) => {
  // One client per dependency for /readyz; the services keep their own.
  const redis = createRedis(config.redis, logger, config.service.name);
  const postgres = createPostgres(config.postgres, logger);
  const kafka = createKafka(config.kafka, logger, config.service.name);
  const services = allServices(config, logger, metrics);
  return {
    plugins: services.plugins,
    checks: {
      redis: pingRedis(redis),
      postgres: pingPostgres(postgres),
      kafka: pingKafka(kafka),
      admin_bootstrap: services.startAdminBootstrap(),
      web_client: services.webReady,
    },
    notFoundPage: services.notFoundPage,
    clients: [{ name: "redis", run: () => closeRedis(redis) }, { name: "postgres", run: () => postgres.close() }, ...services.close],
  };
});
