/**
 * Configuration is read from the environment once, at start-up, validated against a schema and
 * handed down as a typed object. Nothing below an entrypoint (services/<package>/bin/) reads process.env.
 */
import { type Static, type TObject, type TProperties, type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

/** Marks a setting whose value must never be printed (passwords, signing keys, URLs with credentials). */
export const secret = <S extends TSchema>(schema: S): S => ({ ...schema, secret: true });

export interface SettingsGroup<P extends TProperties, Shape> {
  schema: TObject<P>;
  shape: (values: Static<TObject<P>>) => Shape;
}

/** A group of environment variables and the typed value the service code sees. */
export const settingsGroup = <P extends TProperties, Shape>(
  properties: P,
  shape: (values: Static<TObject<P>>) => Shape,
): SettingsGroup<P, Shape> => ({ schema: Type.Object(properties), shape });

/** Any group; `never` because a function of specific values is assignable to one taking never. */
export type AnyGroup = { schema: TObject; shape: (values: never) => unknown };
export type ConfigOf<G extends Record<string, AnyGroup>> = { [K in keyof G]: ReturnType<G[K]["shape"]> };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses every variable of every group; collects all problems before failing so one start-up
 * attempt names each bad or missing variable.
 */
export function loadConfig<G extends Record<string, AnyGroup>>(groups: G, env: Record<string, string | undefined>): ConfigOf<G> {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [name, group] of Object.entries(groups)) {
    const values = readGroup(group.schema, env, problems);
    if (values) config[name] = (group.shape as (values: unknown) => unknown)(values);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as ConfigOf<G>;
}

function readGroup(schema: TObject, env: Record<string, string | undefined>, problems: string[]) {
  const raw: Record<string, string> = {};
  const converted: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(schema.properties)) {
    const value = env[key]?.trim();
    // An empty variable is an unset one: `FOO=` in an env file must not become the empty string.
    if (value === undefined || value === "") continue;
    raw[key] = value;
    converted[key] = fromEnvString(setting, value);
  }
  const values = Value.Default(schema, converted) as Record<string, unknown>;
  let valid = true;
  const reported = new Set<string>();
  for (const error of Value.Errors(schema, values)) {
    const key = error.path.replace(/^\//, "").split("/")[0] ?? "";
    if (reported.has(key)) continue;
    reported.add(key);
    valid = false;
    problems.push(describeProblem(key, schema.properties[key], raw[key], error.message));
  }
  return valid ? values : undefined;
}

/**
 * Strict conversion: "80.5" is not an integer and "yes" is not a boolean. (TypeBox's own Convert
 * would quietly turn "80.5" into 80.) What does not convert stays a string and fails the check.
 */
function fromEnvString(setting: TSchema, value: string): unknown {
  const type = setting.type;
  if (type === "integer" && /^[-+]?\d+$/.test(value)) return Number(value);
  if (type === "number" && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) return Number(value);
  if (type === "boolean" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  return value;
}

function describeProblem(key: string, schema: TSchema | undefined, given: unknown, message: string): string {
  if (given === undefined) return `${key} is required: ${schema?.description ?? ""}`.trimEnd();
  const shown = schema?.secret ? "<hidden>" : JSON.stringify(given);
  return `${key} ${expectation(schema, message)} (got ${shown}): ${schema?.description ?? ""}`.trimEnd();
}

function expectation(schema: TSchema | undefined, message: string): string {
  const choices = (schema?.anyOf as TSchema[] | undefined)?.map((choice) => choice.const);
  if (choices?.every((choice) => choice !== undefined)) return `must be one of ${choices.join(", ")}`;
  if (schema?.pattern) return "has the wrong format";
  return message.replace(/^expected/i, "must be");
}

/** Rows for the configuration table (docs/operations.md), straight from the schemas. */
export function describeSettings(groups: Record<string, AnyGroup>) {
  return Object.entries(groups).flatMap(([group, { schema }]) =>
    Object.entries(schema.properties).map(([name, setting]) => {
      const property = setting as TSchema & { default?: unknown; secret?: boolean };
      const required = (schema.required ?? []).includes(name) && property.default === undefined;
      return {
        group,
        name,
        required,
        default: property.default === undefined ? "" : String(property.default),
        secret: property.secret === true,
        description: property.description ?? "",
      };
    }),
  );
}

/** loadConfig for an entrypoint: a bad configuration prints one message naming each variable and exits 1. */
export function loadConfigOrExit<G extends Record<string, AnyGroup>>(groups: G, env: Record<string, string | undefined>): ConfigOf<G> {
  try {
    return loadConfig(groups, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/** The values of every setting marked secret, for the logger to scrub from anything it writes. */
export function secretValues(groups: Record<string, AnyGroup>, env: Record<string, string | undefined>): string[] {
  return Object.values(groups).flatMap(({ schema }) =>
    Object.entries(schema.properties)
      .filter(([, setting]) => (setting as TSchema).secret === true)
      .map(([name]) => env[name]?.trim())
      .filter((value): value is string => !!value),
  );
}
