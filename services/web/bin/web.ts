/** The web app: the buyers' and organizers' single-page app, served from memory. */
import { serviceSettings, telemetrySettings } from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
import { createWebApp } from "../src/app";
import { webSettings } from "../src/settings";

const groups = {
  service: serviceSettings({ name: "web", port: 3005 }),
  web: webSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger) => {
  const web = createWebApp(config.web, logger);
  return {
    plugins: [web.routes],
    checks: { client: web.ready },
    clients: [],
    notFoundPage: web.notFoundPage,
  };
});
