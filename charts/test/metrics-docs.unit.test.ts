/**
 * The metrics table of docs/operations.md names exactly the metrics the code registers (read from
 * the code's own metrics factories, see support/metric-names.ts), prom-client's default process_*
 * and nodejs_* metrics aside. Needs no server.
 */
import { describe, expect, test } from "bun:test";
import { registeredNames } from "./support/metric-names";

const operations = `${import.meta.dir}/../../docs/operations.md`;

/** The metric names in the first column of every table row of the document's "## Metrics" section. */
function documentedMetrics(markdown: string): string[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith("Metrics\n"));
  if (section === undefined) throw new Error('no "## Metrics" section');
  const rows = section.split("\n").filter((line) => line.startsWith("| `"));
  return rows.flatMap((row) => [...(row.split(" | ")[0] ?? "").matchAll(/`([a-z][a-z0-9_]*)(?:\{[^}]*\})?`/g)].map((match) => match[1]!));
}

describe("the metrics table in docs/operations.md", () => {
  test("names every metric the code registers, and nothing else", async () => {
    const documented = documentedMetrics(await Bun.file(operations).text());
    const registered = registeredNames.filter((name) => !name.startsWith("process_") && !name.startsWith("nodejs_"));
    expect(
      documented.filter((name) => !registered.includes(name)),
      "documented but not registered",
    ).toEqual([]);
    expect(
      registered.filter((name) => !documented.includes(name)),
      "registered but not in docs/operations.md",
    ).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  test("reads the names of the first column only, labels dropped", () => {
    const markdown = [
      "# Ops",
      "## Metrics",
      "Prose with `not_a_row_total`.",
      "| metric | process | meaning |",
      "| --- | --- | --- |",
      "| `a_total{result}`, `b_seconds` | every process | `c_total` is not named here |",
      "## Next",
      "| `d_total` | x | y |",
    ].join("\n");
    expect(documentedMetrics(markdown)).toEqual(["a_total", "b_seconds"]);
    expect(() => documentedMetrics("# Ops\n## Other\n")).toThrow("no");
  });
});
