/** The auth HTTP service. */
import { pingPostgres, pingRedis } from "@booking-rush/lib/clients";
import { authSettings, postgresSettings, redisSettings, serviceSettings, smtpSettings, telemetrySettings } from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
import { createAuthService } from "../src/app";
import { authServiceSettings } from "../src/settings";

const groups = {
  service: serviceSettings({ name: "auth", port: 3001 }),
  redis: redisSettings,
  postgres: postgresSettings,
  smtp: smtpSettings,
  auth: authSettings,
  authService: authServiceSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) => {
  const auth = createAuthService(config, logger, metrics);
  return {
    plugins: [auth.routes],
    checks: { redis: pingRedis(auth.redis), postgres: pingPostgres(auth.postgres), admin_bootstrap: auth.startAdminBootstrap() },
    clients: [{ name: "auth clients", run: () => auth.close() }],
  };
});
