/**
 * Just enough PromQL to find the metric names a query selects: a tokenizer, then one pass that
 * drops what is not a metric (function and aggregation names, keywords, label names inside
 * `{...}`, label lists after by/without/on/ignoring/group_left/group_right, durations inside
 * `[...]`, strings, numbers and Grafana variables such as `$__rate_interval`).
 */

const aggregations = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);

const functions = new Set([
  ...aggregations,
  "abs",
  "absent",
  "absent_over_time",
  "acos",
  "acosh",
  "asin",
  "asinh",
  "atan",
  "atanh",
  "avg_over_time",
  "ceil",
  "changes",
  "clamp",
  "clamp_max",
  "clamp_min",
  "cos",
  "cosh",
  "count_over_time",
  "day_of_month",
  "day_of_week",
  "day_of_year",
  "days_in_month",
  "deg",
  "delta",
  "deriv",
  "double_exponential_smoothing",
  "exp",
  "floor",
  "histogram_avg",
  "histogram_count",
  "histogram_fraction",
  "histogram_quantile",
  "histogram_stddev",
  "histogram_stdvar",
  "histogram_sum",
  "holt_winters",
  "hour",
  "idelta",
  "increase",
  "info",
  "irate",
  "label_join",
  "label_replace",
  "last_over_time",
  "ln",
  "log10",
  "log2",
  "mad_over_time",
  "max_over_time",
  "min_over_time",
  "minute",
  "month",
  "pi",
  "predict_linear",
  "present_over_time",
  "quantile_over_time",
  "rad",
  "rate",
  "resets",
  "round",
  "scalar",
  "sgn",
  "sin",
  "sinh",
  "sort",
  "sort_by_label",
  "sort_by_label_desc",
  "sort_desc",
  "sqrt",
  "stddev_over_time",
  "stdvar_over_time",
  "sum_over_time",
  "tan",
  "tanh",
  "time",
  "timestamp",
  "vector",
  "year",
  "start",
  "end",
]);

/** Keywords whose parenthesised argument is a list of label names. */
const labelListKeywords = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
/** Other words that are never metric names. */
const keywords = new Set(["and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"]);

type Token =
  | { kind: "identifier"; text: string }
  | { kind: "string" | "number" | "variable" | "operator"; text: string }
  | { kind: "punctuation"; text: "(" | ")" | "{" | "}" | "[" | "]" | "," };

const patterns: [Token["kind"], RegExp][] = [
  ["string", /^"(?:[^"\\]|\\.)*"|^'(?:[^'\\]|\\.)*'|^`[^`]*`/],
  // Grafana's template variables: $name, ${name}, ${name:format}, [[name]] is not supported.
  ["variable", /^\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/],
  // Numbers and durations (5m, 1h30m, 0.95, 1e3, 0x1f).
  ["number", /^(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*)?)(?![A-Za-z_])/],
  ["identifier", /^[A-Za-z_:][A-Za-z0-9_:]*/],
  ["operator", /^(?:==|!=|<=|>=|=~|!~|[-+*/%^<>=@:])/],
  ["punctuation", /^[(){}[\],]/],
];

export function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let rest = expr;
  while (rest.length > 0) {
    const space = /^\s+/.exec(rest);
    if (space) {
      rest = rest.slice(space[0].length);
      continue;
    }
    if (rest.startsWith("#")) {
      // A comment runs to the end of the line.
      const end = rest.indexOf("\n");
      rest = end < 0 ? "" : rest.slice(end);
      continue;
    }
    const match = patterns.map(([kind, pattern]) => [kind, pattern.exec(rest)?.[0]] as const).find(([, text]) => text !== undefined);
    if (!match) throw new Error(`cannot read PromQL at "${rest.slice(0, 20)}" in: ${expr}`);
    const [kind, text] = match;
    tokens.push({ kind, text } as Token);
    rest = rest.slice(text!.length);
  }
  return tokens;
}

/** Index just past the bracket closing the one opened at `open` (which must hold an opening bracket). */
function skipGroup(tokens: Token[], open: number, expr: string): number {
  const pairs: Record<string, string> = { "(": ")", "{": "}", "[": "]" };
  const closing = pairs[tokens[open]!.text]!;
  for (let index = open + 1; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    if (token.kind === "punctuation" && token.text === closing) return index + 1;
    if (token.kind === "punctuation" && token.text in pairs)
      throw new Error(`unexpected "${token.text}" inside "${tokens[open]!.text}...${closing}" in: ${expr}`);
  }
  throw new Error(`unclosed "${tokens[open]!.text}" in: ${expr}`);
}

/**
 * The metric names an expression selects, in order of appearance, each once. Throws on what it
 * cannot read, on unbalanced brackets and on a call of a function PromQL does not have.
 */
export function metricNamesIn(expr: string): string[] {
  const tokens = tokenize(expr);
  let depth = 0;
  for (const token of tokens) {
    if (token.kind !== "punctuation") continue;
    if ("({[".includes(token.text)) depth += 1;
    else if (")}]".includes(token.text)) depth -= 1;
    if (depth < 0) throw new Error(`unbalanced "${token.text}" in: ${expr}`);
  }
  if (depth !== 0) throw new Error(`unbalanced brackets in: ${expr}`);

  const names: string[] = [];
  let index = 0;
  while (index < tokens.length) {
    const token = tokens[index]!;
    const next = tokens[index + 1];
    const opens = (bracket: string) => next?.kind === "punctuation" && next.text === bracket;
    if (token.kind === "punctuation" && (token.text === "{" || token.text === "[")) {
      // Label matchers or a range/subquery: a selector named by `__name__` is the only metric inside.
      if (token.text === "{") {
        const inner = tokens.slice(index + 1, skipGroup(tokens, index, expr) - 1);
        for (let at = 0; at + 2 < inner.length; at += 1) {
          if (inner[at]!.text === "__name__" && inner[at + 1]!.text === "=" && inner[at + 2]!.kind === "string")
            names.push(inner[at + 2]!.text.slice(1, -1));
        }
      }
      index = skipGroup(tokens, index, expr);
      continue;
    }
    if (token.kind !== "identifier") {
      index += 1;
      continue;
    }
    const word = token.text;
    if (labelListKeywords.has(word)) {
      // by (service, route): label names, not metrics. group_left may stand without a list.
      index = opens("(") ? skipGroup(tokens, index + 1, expr) : index + 1;
      continue;
    }
    if (keywords.has(word.toLowerCase())) {
      index += 1;
      continue;
    }
    if (aggregations.has(word) && next?.kind === "identifier" && (next.text === "by" || next.text === "without")) {
      // sum by (service) (...): the grouping comes first, the call follows.
      index += 1;
      continue;
    }
    if (opens("(")) {
      if (!functions.has(word)) throw new Error(`unknown function "${word}" in: ${expr}`);
      index += 1;
      continue;
    }
    names.push(word);
    index += 1;
  }
  return [...new Set(names)];
}

/** The metric names of `expr` that are not in `known` (empty when every one exists). */
export function unknownMetrics(expr: string, known: ReadonlySet<string>): string[] {
  return metricNamesIn(expr).filter((name) => !known.has(name));
}
