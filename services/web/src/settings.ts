import { settingsGroup } from "@booking-rush/lib/config";
import { Type } from "@sinclair/typebox";

export const webSettings = settingsGroup(
  {
    WEB_CLIENT_BUILD: Type.Union([Type.Literal("production"), Type.Literal("development")], {
      default: "production",
      description:
        "The web app's in-memory build: production (minified, React's production build; what the budgets measure) | development (readable, React's warnings)",
    }),
  },
  (values) => ({ production: values.WEB_CLIENT_BUILD === "production" }),
);

export type WebSettingsConfig = ReturnType<typeof webSettings.shape>;
