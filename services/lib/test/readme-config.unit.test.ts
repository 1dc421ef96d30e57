import { expect, test } from "bun:test";
import { describeSettings } from "../src/config";
import { settingsCatalog } from "../../../scripts/settings-catalog";

test("the README's configuration table lists every setting with its current default", async () => {
  const readme = await Bun.file(`${import.meta.dir}/../../../README.md`).text();
  for (const row of describeSettings(settingsCatalog)) {
    const line = readme.split("\n").find((candidate) => candidate.startsWith(`| \`${row.name}\` |`));
    expect(line, `${row.name} is missing from the README (regenerate: bun run scripts/config-table.ts)`).toBeDefined();
    if (row.default !== "") expect(line).toContain(`\`${row.default.replaceAll("|", "\\|")}\``);
  }
});
