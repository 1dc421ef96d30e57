/**
 * Prints the README's configuration table from the settings schemas, so the documentation cannot
 * drift from what the services accept: `bun run scripts/config-table.ts`.
 */
import { describeSettings } from "../services/lib/src/config";
import { settingsCatalog } from "./settings-catalog";

const rows = describeSettings(settingsCatalog);
const escapeCell = (text: string) => text.replaceAll("|", "\\|");
console.log("| variable | group | required | default | description |");
console.log("| --- | --- | --- | --- | --- |");
for (const row of rows) {
  const shownDefault = row.default === "" ? "" : `\`${escapeCell(row.default)}\``;
  const description = `${escapeCell(row.description)}${row.secret ? " (secret: never logged)" : ""}`;
  console.log(`| \`${row.name}\` | ${row.group} | ${row.required ? "yes" : "no"} | ${shownDefault} | ${description} |`);
}
