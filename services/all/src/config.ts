import { authServiceSettings } from "@booking-rush/auth/settings";
import { bookingSettings, queueSettings, salesSettings } from "@booking-rush/booking/settings";
import { catalogSettings } from "@booking-rush/catalog/settings";
import {
  apiRateLimitSettings,
  authSettings,
  kafkaSettings,
  postgresSettings,
  redisSettings,
  redlockSettings,
  serviceSettings,
  smtpSettings,
  telemetrySettings,
} from "@booking-rush/lib/config";
import { paymentSettings } from "@booking-rush/payment/settings";
import { reconcilerSettings } from "@booking-rush/reconciler";
import { webSettings } from "@booking-rush/web/settings";

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
  queue: queueSettings,
  sales: salesSettings,
  catalog: catalogSettings,
  payment: paymentSettings,
  reconciler: reconcilerSettings,
  rateLimit: apiRateLimitSettings,
  web: webSettings,
  telemetry: telemetrySettings,
};
