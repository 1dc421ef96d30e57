import { kafkaSettings, postgresSettings, redisSettings, serviceSettings, telemetrySettings } from "@booking-rush/lib";

/** Every setting of every service mounted here; grows as services land. */
export const allInOneSettings = {
  service: serviceSettings({ name: "booking-rush", port: 3000 }),
  redis: redisSettings,
  postgres: postgresSettings,
  kafka: kafkaSettings,
  telemetry: telemetrySettings,
};
