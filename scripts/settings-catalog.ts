/**
 * Every settings group of every process, for the configuration table of docs/operations.md
 * (scripts/config-table.ts) and the tests that keep it and the chart's ConfigMap in sync.
 * Service-specific groups live with their service; the shared ones in the kernel.
 */
import { authServiceSettings } from "../services/auth/src/settings";
import { bookingSettings, expirySweeperSettings, outboxRelaySettings, paymentSagaSettings } from "../services/booking/src/settings";
import { catalogSettings } from "../services/catalog/src/settings";
import { leaderElectionSettings } from "../services/lib/src/clients/process-leadership";
import { allSettingsGroups } from "../services/lib/src/settings";
import { notificationSettings } from "../services/notification/src/settings";
import { mockGatewaySettings } from "../services/payment/src/gateway/mock-gateway-settings";
import { paymentSettings } from "../services/payment/src/settings";
import { projectorSettings } from "../services/projector/src/settings";
import { reconcilerSettings } from "../services/reconciler/src/reconciler-settings";

export const settingsCatalog = {
  ...allSettingsGroups,
  authService: authServiceSettings,
  booking: bookingSettings,
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
};
