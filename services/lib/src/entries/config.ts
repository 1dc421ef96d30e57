/** Typed settings parsed once at start-up: `settingsGroup` and the shared groups. */
export * from "../config";
export * from "../settings";
