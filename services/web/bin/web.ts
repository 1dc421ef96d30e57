/** The web app: the buyers' and organizers' single-page app, served from memory. */
import { serviceSettings, telemetrySettings } from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
import { createWebApp } from "../src/app";

const groups = {
  service: serviceSettings({ name: "web", port: 3005 }),
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger) => {
  const web = createWebApp({ production: config.service.environment === "production" }, logger);
  return {
    plugins: [web.routes],
    checks: { client: web.ready },
    clients: [],
  };
});
