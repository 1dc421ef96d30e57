/**
 * Reads the links of a markdown document and says which do not resolve inside the repository:
 * a relative link must name a file or folder of the repository that git does not ignore (so it
 * exists on a clean clone), and its #anchor, when given, a heading of that markdown file as GitHub
 * slugs it. A link with a scheme (https:, mailto:), a protocol-relative or root-absolute path, or a
 * path out of the repository leaves it and is refused: the documentation must stand on its own.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

export interface MarkdownLink {
  target: string;
  line: number;
}

/** Fenced code blocks (``` or ~~~) hold no links or headings; their lines are blanked, numbering kept. */
function proseLines(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split("\n").map((line) => {
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === undefined) {
      if (opening) {
        fence = opening[1];
        return "";
      }
      return line;
    }
    if (opening && opening[1]![0] === fence[0] && opening[1]!.length >= fence.length && line.trim() === opening[1]) fence = undefined;
    return "";
  });
}

/** Inline code spans are text, not links: `[a](b)` inside backticks is left alone. */
const withoutCodeSpans = (line: string) => line.replace(/(`+)[^`]*?\1/g, (span) => " ".repeat(span.length));

const inlineLink =
  /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^()\s]+(?:\([^()\s]*\)[^()\s]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const referenceDefinition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/;
const autolink = /<([a-z][a-z0-9+.-]*:[^<>\s]*)>/gi;
const htmlAttribute = /\b(?:href|src)\s*=\s*["']([^"']*)["']/gi;

export function extractLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseLines(markdown).forEach((raw, index) => {
    const line = withoutCodeSpans(raw);
    const add = (target: string) => links.push({ target: target.replace(/^<(.*)>$/, "$1"), line: index + 1 });
    for (const match of line.matchAll(inlineLink)) add(match[1]!);
    const definition = referenceDefinition.exec(line);
    if (definition) add(definition[1]!);
    for (const match of line.matchAll(autolink)) add(match[1]!);
    for (const match of line.matchAll(htmlAttribute)) add(match[1]!);
  });
  return links;
}

/** A heading's anchor as GitHub makes it: the rendered text, lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/<[^>]+>/g, "");
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a markdown document offers; a repeated heading gets -1, -2, … as on GitHub. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (!heading) continue;
    const slug = headingSlug(heading[1]!);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

export interface LinkContext {
  /** The repository's root folder. */
  root: string;
  /** The document the link is in, absolute. */
  document: string;
  /** Whether git ignores a path (relative to root): such a file is not on a clean clone. */
  ignored: (path: string) => boolean;
}

/** Why the link does not resolve inside the repository, or undefined when it does. */
export function linkProblem(target: string, context: LinkContext): string | undefined {
  if (target === "") return "empty link";
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) return "leaves the repository";
  if (isAbsolute(target)) return "leaves the repository (a root-absolute path)";
  const hash = target.indexOf("#");
  const pathPart = hash < 0 ? target : target.slice(0, hash);
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const path = pathPart === "" ? context.document : resolve(dirname(context.document), decodeURIComponent(pathPart.replace(/\?.*$/, "")));
  const inRepository = relative(context.root, path);
  if (inRepository.startsWith("..") || isAbsolute(inRepository)) return "leaves the repository";
  if (!existsSync(path)) return `no such file or folder: ${inRepository}`;
  if (inRepository !== "" && context.ignored(inRepository)) return `git-ignored, not in a clean clone: ${inRepository}`;
  if (anchor === undefined) return undefined;
  if (statSync(path).isDirectory() || !path.endsWith(".md")) return `an anchor into something that is not a markdown file: ${inRepository}`;
  if (!headingAnchors(readFileSync(path, "utf8")).has(anchor)) return `no heading #${anchor} in ${inRepository}`;
  return undefined;
}

/** `document: line: target: problem` for every link of the document that does not resolve. */
export function brokenLinks(document: string, context: Omit<LinkContext, "document">): string[] {
  const markdown = readFileSync(document, "utf8");
  const name = relative(context.root, document);
  return extractLinks(markdown).flatMap(({ target, line }) => {
    const problem = linkProblem(target, { ...context, document });
    return problem === undefined ? [] : [`${name}:${line}: ${target}: ${problem}`];
  });
}

/** The documents whose links must resolve: the README and every markdown file directly in docs/. */
export function documentationFiles(root: string, list: (folder: string) => string[]): string[] {
  return [
    join(root, "README.md"),
    ...list(join(root, "docs"))
      .filter((file) => file.endsWith(".md"))
      .sort()
      .map((file) => join(root, "docs", file)),
  ];
}
