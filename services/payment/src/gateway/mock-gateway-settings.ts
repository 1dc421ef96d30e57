import { settingsGroup } from "@booking-rush/lib/config";
import { Type } from "@sinclair/typebox";

/**
 * The mock gateway process (services/payment/bin/mock-gateway.ts). It binds every interface by default,
 * like every service's HOST: in a pod the kubelet's probes and the payment service reach it on the
 * pod address, never on 127.0.0.1.
 */
export const mockGatewaySettings = settingsGroup(
  {
    MOCK_GATEWAY_HOST: Type.String({
      minLength: 1,
      default: "0.0.0.0",
      description: "Bind address of the mock payment gateway (0.0.0.0: every interface, as in a pod)",
    }),
    MOCK_GATEWAY_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 3099, description: "Port of the mock payment gateway" }),
    MOCK_GATEWAY_LATENCY_MS: Type.Integer({
      minimum: 0,
      maximum: 60_000,
      default: 50,
      description: "Latency the mock gateway adds to each answer",
    }),
    MOCK_GATEWAY_DECLINE_RATE: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description: "Share (0..1) of charges the mock gateway declines",
    }),
  },
  (values) => ({
    hostname: values.MOCK_GATEWAY_HOST,
    port: values.MOCK_GATEWAY_PORT,
    knobs: { latencyMs: values.MOCK_GATEWAY_LATENCY_MS, declineRate: values.MOCK_GATEWAY_DECLINE_RATE },
  }),
);
