/**
 * Every link of README.md and docs/*.md resolves inside the repository: the file or folder exists
 * and is not git-ignored, the #anchor is a heading of that file, nothing points outside (no
 * ../shared/…, no web address). Needs no stack. The checker itself is tested on documents written
 * here, so a broken link is proven to fail.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brokenLinks, documentationFiles, extractLinks, headingAnchors, headingSlug, linkProblem } from "./markdown-links";

const root = join(import.meta.dir, "..", "..");

function gitIgnores(path: string): boolean {
  const check = Bun.spawnSync(["git", "check-ignore", "-q", path], { cwd: root });
  if (check.exitCode !== 0 && check.exitCode !== 1) throw new Error(`git check-ignore failed: ${check.stderr.toString()}`);
  return check.exitCode === 0;
}

describe("the repository's documentation", () => {
  const documents = documentationFiles(root, readdirSync);

  test("covers the README and the docs folder", () => {
    const names = documents.map((document) => document.slice(root.length + 1));
    expect(names).toContain("README.md");
    expect(names).toContain("docs/architecture.md");
    expect(names).toContain("docs/operations.md");
    expect(names).toContain("docs/adding-a-process.md");
  });

  test("every link in README.md and docs/*.md resolves inside the repository", () => {
    const broken = documents.flatMap((document) => brokenLinks(document, { root, ignored: gitIgnores }));
    expect(broken).toEqual([]);
  });
});

describe("the link checker", () => {
  // A small repository of its own: a README, a docs folder, a source file and an ignored folder.
  const sandbox = mkdtempSync(join(tmpdir(), "markdown-links-"));
  mkdirSync(join(sandbox, "docs"));
  mkdirSync(join(sandbox, "services", "booking"), { recursive: true });
  writeFileSync(join(sandbox, "services", "booking", "main.ts"), "");
  writeFileSync(join(sandbox, "docs", "guide.md"), "# Guide\n\n## The `reserve.lua` script\n\n## Run it: twice!\n\n## Run it: twice!\n");
  const context = (document: string) => ({
    root: sandbox,
    document: join(sandbox, document),
    ignored: (path: string) => path.startsWith(".stack"),
  });
  mkdirSync(join(sandbox, ".stack"));
  writeFileSync(join(sandbox, ".stack", "demo.json"), "{}");
  afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

  test("accepts files, folders and headings that exist", () => {
    for (const target of [
      "docs/guide.md",
      "docs/guide.md#guide",
      "docs/guide.md#the-reservelua-script",
      "docs/guide.md#run-it-twice-1",
      "services/booking",
      "services/booking/main.ts",
      "docs/",
    ]) {
      expect(linkProblem(target, context("README.md")), target).toBeUndefined();
    }
    expect(linkProblem("#guide", context("docs/guide.md"))).toBeUndefined();
    expect(linkProblem("../services/booking/main.ts", context("docs/guide.md"))).toBeUndefined();
  });

  test("refuses a missing file, a missing heading, an anchor into a non-markdown file and an ignored file", () => {
    expect(linkProblem("docs/gide.md", context("README.md"))).toBe("no such file or folder: docs/gide.md");
    expect(linkProblem("docs/guide.md#run-it-twice-2", context("README.md"))).toBe("no heading #run-it-twice-2 in docs/guide.md");
    expect(linkProblem("#nowhere", context("docs/guide.md"))).toBe("no heading #nowhere in docs/guide.md");
    expect(linkProblem("services/booking/main.ts#L3", context("README.md"))).toContain("not a markdown file");
    expect(linkProblem(".stack/demo.json", context("README.md"))).toBe("git-ignored, not in a clean clone: .stack/demo.json");
  });

  test("refuses every link that leaves the repository", () => {
    for (const target of [
      "../shared/design/ARCHITECTURE.md",
      "../../etc/passwd",
      "/README.md",
      "https://example.com/",
      "//example.com/x",
      "mailto:ops@example.com",
      "file:///etc/hosts",
    ]) {
      expect(linkProblem(target, context("README.md")), target).toMatch(/^leaves the repository/);
    }
    expect(linkProblem("../../shared/design/API.md", context("docs/guide.md"))).toBe("leaves the repository");
  });

  test("reads inline, image, reference, autolink and HTML links, but none in code", () => {
    const markdown = [
      'See [the guide](docs/guide.md#guide) and ![a diagram](docs/diagram.png "title").',
      "[ref]: ../shared/design/API.md",
      'Mail <mailto:ops@example.com> or <a href="docs/x.md">x</a>.',
      "Not a link: `[code](nowhere.md)`.",
      "```sh",
      "curl [x](inside-a-fence.md)",
      "```",
      "[after the fence](docs/guide.md)",
    ].join("\n");
    expect(extractLinks(markdown)).toEqual([
      { target: "docs/guide.md#guide", line: 1 },
      { target: "docs/diagram.png", line: 1 },
      { target: "../shared/design/API.md", line: 2 },
      { target: "mailto:ops@example.com", line: 3 },
      { target: "docs/x.md", line: 3 },
      { target: "docs/guide.md", line: 8 },
    ]);
  });

  test("names each broken link with its document and line", () => {
    writeFileSync(
      join(sandbox, "README.md"),
      "# Sandbox\n\n[fine](docs/guide.md)\n[broken](docs/missing.md)\n[outside](../shared/design/ARCHITECTURE.md)\n",
    );
    expect(brokenLinks(join(sandbox, "README.md"), { root: sandbox, ignored: () => false })).toEqual([
      "README.md:4: docs/missing.md: no such file or folder: docs/missing.md",
      "README.md:5: ../shared/design/ARCHITECTURE.md: leaves the repository",
    ]);
  });

  test("slugs headings as GitHub does", () => {
    expect(headingSlug("The reservation path")).toBe("the-reservation-path");
    expect(headingSlug("Payments, the saga and notifications")).toBe("payments-the-saga-and-notifications");
    expect(headingSlug("Trust model: what a token proves")).toBe("trust-model-what-a-token-proves");
    expect(headingSlug("The `outbox_lag` [metric](x.md)")).toBe("the-outbox_lag-metric");
    expect([...headingAnchors("# A\n## A\n```\n# not a heading\n```\n### A ###\n")]).toEqual(["a", "a-1", "a-2"]);
  });
});
