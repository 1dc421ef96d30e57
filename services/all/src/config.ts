import {
  apiRateLimitSettings,
  authSettings,
  kafkaSettings,
  postgresSettings,
  reconcilerSettings,
  redisSettings,
  redlockSettings,
  serviceSettings,
  smtpSettings,
  telemetrySettings,
} from "@booking-rush/lib";
import { authServiceSettings } from "../../auth/src/settings";
import { bookingSettings } from "../../booking/src/settings";
import { catalogSettings } from "../../catalog/src/settings";
import { paymentSettings } from "../../payment/src/settings";

/** Every setting of every service mounted here; grows as services land. */
export const allInOneSettings = {
  service: serviceSettings({ name: "all", port: 3000 }),
  redis: redisSettings,
  redlock: redlockSettings,
  postgres: postgresSettings,
  kafka: kafkaSettings,
  auth: authSettings,
  smtp: smtpSettings,
  authService: authServiceSettings,
  booking: bookingSettings,
  catalog: catalogSettings,
  payment: paymentSettings,
  reconciler: reconcilerSettings,
  rateLimit: apiRateLimitSettings,
  telemetry: telemetrySettings,
};
