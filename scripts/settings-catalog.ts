/**
 * Every settings group of every process, for the configuration table of docs/operations.md
 * (scripts/config-table.ts) and the tests that keep it and the chart's ConfigMap in sync.
 * Service-specific groups live with their service; the shared ones in the kernel.
 */
import { authServiceSettings } from "@booking-rush/auth/settings";
import {
  bookingSettings,
  expirySweeperSettings,
  outboxRelaySettings,
  paymentSagaSettings,
  queueAdmitterSettings,
  queueSettings,
  salesSettings,
} from "@booking-rush/booking/settings";
import { catalogSettings } from "@booking-rush/catalog/settings";
import { leaderElectionSettings } from "@booking-rush/lib/clients";
import { allSettingsGroups } from "@booking-rush/lib/config";
import { notificationSettings } from "@booking-rush/notification/settings";
import { mockGatewaySettings } from "@booking-rush/payment/mock-gateway-settings";
import { paymentSettings } from "@booking-rush/payment/settings";
import { projectorSettings } from "@booking-rush/projector/settings";
import { reconcilerSettings } from "@booking-rush/reconciler";
import { webSettings } from "@booking-rush/web/settings";

export const settingsCatalog = {
  ...allSettingsGroups,
  authService: authServiceSettings,
  booking: bookingSettings,
  queue: queueSettings,
  queueAdmitter: queueAdmitterSettings,
  sales: salesSettings,
  catalog: catalogSettings,
  sweeper: expirySweeperSettings,
  relay: outboxRelaySettings,
  projector: projectorSettings,
  saga: paymentSagaSettings,
  payment: paymentSettings,
  mockGateway: mockGatewaySettings,
  notification: notificationSettings,
  reconciler: reconcilerSettings,
  leaderElection: leaderElectionSettings,
  web: webSettings,
};
