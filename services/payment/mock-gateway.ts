/**
 * The mock payment gateway as a process, for local development (scripts/run): the gateway we do not
 * run, with its knobs (PUT /knobs). MOCK_GATEWAY_PORT (3099), MOCK_GATEWAY_LATENCY_MS (50),
 * MOCK_GATEWAY_DECLINE_RATE (0).
 */
import { startMockGateway } from "./src/gateway/mock-gateway";

const gateway = startMockGateway({
  port: Number(process.env.MOCK_GATEWAY_PORT ?? 3099),
  knobs: { latencyMs: Number(process.env.MOCK_GATEWAY_LATENCY_MS ?? 50), declineRate: Number(process.env.MOCK_GATEWAY_DECLINE_RATE ?? 0) },
});
console.log(JSON.stringify({ level: "info", service: "mock-gateway", msg: "listening", url: gateway.url }));
const stop = () => {
  gateway.stop();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
