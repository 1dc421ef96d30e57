/**
 * The mock payment gateway as a process, for local development (scripts/run) and the kind/CI chart
 * profiles: the gateway we do not run, with its knobs (PUT /knobs). Settings: MOCK_GATEWAY_HOST
 * (0.0.0.0), MOCK_GATEWAY_PORT (3099), MOCK_GATEWAY_LATENCY_MS (50), MOCK_GATEWAY_DECLINE_RATE (0).
 */
import { loadConfigOrExit } from "@booking-rush/lib/config";
import { startMockGateway } from "../src/gateway/mock-gateway-server";
import { mockGatewaySettings } from "../src/gateway/mock-gateway-settings";

const config = loadConfigOrExit({ gateway: mockGatewaySettings }, process.env);
const gateway = startMockGateway(config.gateway);
console.log(JSON.stringify({ level: "info", service: "mock-gateway", msg: "listening", url: gateway.url }));
const stop = () => {
  gateway.stop();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
