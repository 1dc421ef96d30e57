/**
 * Every setting of every process, by group. A process picks the groups it uses; the configuration
 * table of docs/operations.md is generated from these schemas (scripts/config-table.ts).
 */
import { Type } from "@sinclair/typebox";
import { secret, settingsGroup } from "./config";

const hostPortList = Type.String({ pattern: "^[^,:\\s]+:\\d{1,5}(,[^,:\\s]+:\\d{1,5})*$" });

export const parseHostPortList = (list: string) =>
  list.split(",").map((entry) => {
    const separator = entry.lastIndexOf(":");
    return { host: entry.slice(0, separator), port: Number(entry.slice(separator + 1)) };
  });

const splitList = (list: string) =>
  list
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

export const serviceSettings = (defaults: { name: string; port?: number }) =>
  settingsGroup(
    {
      SERVICE_NAME: Type.String({ minLength: 1, default: defaults.name, description: "Name in logs, metrics and traces" }),
      NODE_ENV: Type.Union([Type.Literal("development"), Type.Literal("test"), Type.Literal("production")], {
        default: "development",
        description: "development | test | production",
      }),
      LOG_LEVEL: Type.Union([Type.Literal("debug"), Type.Literal("info"), Type.Literal("warn"), Type.Literal("error")], {
        default: "info",
        description: "Lowest level written: debug | info | warn | error",
      }),
      PORT: Type.Integer({ minimum: 1, maximum: 65535, default: defaults.port ?? 3000, description: "HTTP port" }),
      HOST: Type.String({ minLength: 1, default: "0.0.0.0", description: "HTTP bind address" }),
      CORS_ORIGINS: Type.String({
        default: "http://localhost:3000,http://127.0.0.1:3000",
        description:
          "Comma-separated origins allowed by CORS (answered with themselves, any other Origin gets no grant); * answers a literal * (no credentials are ever allowed cross-origin)",
      }),
      SHUTDOWN_TIMEOUT_MS: Type.Integer({
        minimum: 0,
        default: 10_000,
        description: "How long SIGTERM waits for in-flight work before closing anyway",
      }),
      SHUTDOWN_DRAIN_MS: Type.Integer({
        minimum: 0,
        maximum: 60_000,
        default: 0,
        description:
          "After SIGTERM the server keeps serving this long (readiness 503, every response closing its connection) before it stops accepting, so proxies and keep-alive clients move to other pods",
      }),
      TRUST_PROXY: Type.Boolean({
        default: false,
        description:
          "Take the client address from the first X-Forwarded-For hop (only behind a proxy that sets it); else the socket address",
      }),
    },
    (values) => ({
      name: values.SERVICE_NAME,
      environment: values.NODE_ENV,
      logLevel: values.LOG_LEVEL,
      port: values.PORT,
      host: values.HOST,
      corsOrigins: values.CORS_ORIGINS === "*" ? ("*" as const) : splitList(values.CORS_ORIGINS),
      shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
      shutdownDrainMs: values.SHUTDOWN_DRAIN_MS,
      trustProxy: values.TRUST_PROXY,
    }),
  );

export const redisSettings = settingsGroup(
  {
    REDIS_SENTINELS: Type.Optional({
      ...hostPortList,
      description: "Sentinels as host:port,host:port; when set, the master is found through them",
    }),
    REDIS_MASTER_NAME: Type.String({ minLength: 1, default: "mymaster", description: "Sentinel master set name" }),
    REDIS_URL: secret(
      Type.String({
        pattern: "^rediss?://",
        default: "redis://127.0.0.1:6379",
        description: "Direct Redis URL, used when REDIS_SENTINELS is unset",
      }),
    ),
    REDIS_PASSWORD: Type.Optional(secret(Type.String({ description: "Password of the Redis master and replicas" }))),
    REDIS_SENTINEL_PASSWORD: Type.Optional(secret(Type.String({ description: "Password of the Sentinels, when they have one" }))),
    REDIS_COMMAND_TIMEOUT_MS: Type.Integer({
      minimum: 50,
      default: 2_000,
      description: "A command not answered by then fails (the request gets 503) instead of hanging",
    }),
  },
  (values) => ({
    sentinels: values.REDIS_SENTINELS ? parseHostPortList(values.REDIS_SENTINELS) : undefined,
    masterName: values.REDIS_MASTER_NAME,
    url: values.REDIS_URL,
    password: values.REDIS_PASSWORD,
    sentinelPassword: values.REDIS_SENTINEL_PASSWORD,
    commandTimeoutMs: values.REDIS_COMMAND_TIMEOUT_MS,
  }),
);

/**
 * What the booking scripts write into a booking record and the reconciler restores, so both read
 * the same variables: how long a closed booking's records stay in Redis (part of the key layout,
 * inventory/keys.ts), and the hold time (a hold's, and the one a waiting place's promotion gets).
 */
export const bookingRecordVariables = {
  RESERVATION_HOLD_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 3600,
    default: 600,
    description: "How long a hold lasts before it expires",
  }),
  BOOKING_RECORD_TTL_SECONDS: Type.Integer({
    minimum: 60,
    default: 604_800,
    description: "How long a closed booking stays readable in Redis",
  }),
};

export const bookingRecordSettings = settingsGroup(bookingRecordVariables, (values) => ({
  holdMs: values.RESERVATION_HOLD_SECONDS * 1000,
  recordTtlSeconds: values.BOOKING_RECORD_TTL_SECONDS,
}));

export const redlockSettings = settingsGroup(
  {
    REDLOCK_URLS: Type.Optional(
      secret(
        Type.String({
          pattern: "^rediss?://[^,\\s]+(,rediss?://[^,\\s]+)*$",
          description:
            "Independent Redis servers for Redlock (admin locks), comma-separated URLs; a lock needs a majority. Unset: the inventory Redis alone",
        }),
      ),
    ),
  },
  (values) => ({ urls: values.REDLOCK_URLS ? values.REDLOCK_URLS.split(",") : [] }),
);

export type RedlockConfig = ReturnType<typeof redlockSettings.shape>;

export const postgresSettings = settingsGroup(
  {
    DATABASE_URL: secret(Type.String({ pattern: "^postgres(ql)?://", description: "PostgreSQL connection URL" })),
    DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: 10, description: "Connections per process" }),
  },
  (values) => ({ url: values.DATABASE_URL, poolMax: values.DATABASE_POOL_MAX }),
);

export const kafkaSettings = settingsGroup(
  {
    KAFKA_BROKERS: { ...hostPortList, description: "Kafka bootstrap brokers as host:port,host:port" },
    KAFKA_CLIENT_ID: Type.String({ minLength: 1, default: "booking-rush", description: "Kafka client id prefix" }),
    KAFKA_TOPIC_PARTITIONS: Type.Integer({
      minimum: 1,
      maximum: 1_000,
      default: 6,
      description: "Partitions of each topic a process creates when it is missing",
    }),
    KAFKA_TOPIC_REPLICATION_FACTOR: Type.Integer({
      minimum: 1,
      maximum: 7,
      default: 1,
      description: "Replication factor of each topic a process creates when it is missing",
    }),
  },
  (values) => ({
    brokers: splitList(values.KAFKA_BROKERS),
    clientId: values.KAFKA_CLIENT_ID,
    topics: { partitions: values.KAFKA_TOPIC_PARTITIONS, replicationFactor: values.KAFKA_TOPIC_REPLICATION_FACTOR },
  }),
);

export const authSettings = settingsGroup(
  {
    JWT_SECRET: secret(Type.String({ minLength: 32, description: "HS256 signing key of access tokens, at least 32 characters" })),
    ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, default: 900, description: "Access token lifetime" }),
    REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 3600, default: 604_800, description: "Refresh token lifetime" }),
    ACCESS_TOKEN_CLOCK_SKEW_SECONDS: Type.Integer({
      minimum: 0,
      maximum: 300,
      default: 30,
      description: "Clock difference between servers tolerated on a token's exp and iat; no token lives longer than its TTL plus this",
    }),
  },
  (values) => ({
    jwtSecret: values.JWT_SECRET,
    accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL_SECONDS,
    accessTokenClockSkewSeconds: values.ACCESS_TOKEN_CLOCK_SKEW_SECONDS,
    refreshTokenTtlSeconds: values.REFRESH_TOKEN_TTL_SECONDS,
  }),
);

export const smtpSettings = settingsGroup(
  {
    SMTP_HOST: Type.String({ minLength: 1, default: "127.0.0.1", description: "SMTP server the services send e-mail through" }),
    SMTP_PORT: Type.Integer({
      minimum: 1,
      maximum: 65535,
      default: 1025,
      description: "SMTP port (587 STARTTLS, 465 with SMTP_SECURE, 1025 the local sink)",
    }),
    SMTP_SECURE: Type.Boolean({
      default: false,
      description: "TLS from the first byte (port 465); otherwise STARTTLS when the server offers it",
    }),
    SMTP_FROM: Type.String({
      minLength: 3,
      maxLength: 320,
      default: "Booking Rush <no-reply@booking-rush.local>",
      description: "From address of every e-mail",
    }),
    SMTP_USER: Type.Optional(Type.String({ minLength: 1, description: "SMTP login, when the server wants one" })),
    SMTP_PASSWORD: Type.Optional(secret(Type.String({ minLength: 1, description: "SMTP password" }))),
    SMTP_TIMEOUT_MS: Type.Integer({
      minimum: 100,
      maximum: 120_000,
      default: 10_000,
      description: "Connection and command timeout of the SMTP client",
    }),
  },
  (values) => ({
    host: values.SMTP_HOST,
    port: values.SMTP_PORT,
    secure: values.SMTP_SECURE,
    from: values.SMTP_FROM,
    user: values.SMTP_USER,
    password: values.SMTP_PASSWORD,
    timeoutMs: values.SMTP_TIMEOUT_MS,
  }),
);

/** The API's default limit ("other" in API.md): every endpoint without a tighter one of its own. */
export const apiRateLimitSettings = settingsGroup(
  {
    API_RATE_PER_MINUTE: Type.Number({
      exclusiveMinimum: 0,
      default: 100,
      description: "Token-bucket refill per client of endpoints without a limit of their own",
    }),
    API_RATE_BURST: Type.Integer({
      minimum: 1,
      default: 20,
      description: "Token-bucket size per client of endpoints without a limit of their own",
    }),
  },
  (values) => ({ name: "api", perMinute: values.API_RATE_PER_MINUTE, burst: values.API_RATE_BURST }),
);

export const telemetrySettings = settingsGroup(
  {
    OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(
      Type.String({ pattern: "^https?://", description: "OTLP/HTTP collector base URL; tracing is off when unset" }),
    ),
    OTEL_TRACES_SAMPLER_RATIO: Type.Number({ minimum: 0, maximum: 1, default: 1, description: "Share of traces kept" }),
  },
  (values) => ({ otlpEndpoint: values.OTEL_EXPORTER_OTLP_ENDPOINT, samplerRatio: values.OTEL_TRACES_SAMPLER_RATIO }),
);

export type ServiceConfig = ReturnType<ReturnType<typeof serviceSettings>["shape"]>;
export type RedisConfig = ReturnType<typeof redisSettings.shape>;
export type PostgresConfig = ReturnType<typeof postgresSettings.shape>;
export type KafkaConfig = ReturnType<typeof kafkaSettings.shape>;
export type AuthConfig = ReturnType<typeof authSettings.shape>;
export type TelemetryConfig = ReturnType<typeof telemetrySettings.shape>;
export type SmtpConfig = ReturnType<typeof smtpSettings.shape>;
export type ApiRateLimitConfig = ReturnType<typeof apiRateLimitSettings.shape>;

/** Every group, for documentation; a process loads only the groups it uses. */
export const allSettingsGroups = {
  service: serviceSettings({ name: "<service>" }),
  redis: redisSettings,
  redlock: redlockSettings,
  postgres: postgresSettings,
  kafka: kafkaSettings,
  auth: authSettings,
  smtp: smtpSettings,
  rateLimit: apiRateLimitSettings,
  telemetry: telemetrySettings,
};
