/**
 * docs/operations.md's configuration table is the one scripts/config-table.ts generates from the
 * settings schemas. Needs no stack.
 */
import { describe, expect, test } from "bun:test";
import { describeSettings } from "@booking-rush/lib/config";
import { configTable, configTableDocument, configTableEnd, configTableStart, withConfigTable } from "../config-table";
import { settingsCatalog } from "../settings-catalog";

const regenerate = "regenerate: ./scripts/bun run scripts/config-table.ts";

describe("the configuration table in docs/operations.md", () => {
  test("lists every setting with its current default", async () => {
    const document = await Bun.file(configTableDocument).text();
    for (const row of describeSettings(settingsCatalog)) {
      const line = document.split("\n").find((candidate) => candidate.startsWith(`| \`${row.name}\` |`));
      expect(line, `${row.name} is missing from docs/operations.md (${regenerate})`).toBeDefined();
      if (row.default !== "") expect(line).toContain(`\`${row.default.replaceAll("|", "\\|")}\``);
    }
  });

  test("is exactly what the generator writes between its markers", async () => {
    const document = await Bun.file(configTableDocument).text();
    expect(withConfigTable(document, configTable()) === document, `the table is stale (${regenerate})`).toBe(true);
  });

  test("the generator replaces only what is between the markers, and refuses a document without them", () => {
    const document = `# Ops\n\nbefore\n${configTableStart}\n| old |\n${configTableEnd}\nafter\n`;
    expect(withConfigTable(document, "| new |")).toBe(`# Ops\n\nbefore\n${configTableStart}\n\n| new |\n\n${configTableEnd}\nafter\n`);
    expect(() => withConfigTable("# Ops\n\nno table here\n", "| new |")).toThrow("markers are missing");
    expect(() => withConfigTable(`${configTableEnd}\n${configTableStart}\n`, "| new |")).toThrow("out of order");
  });
});
