/**
 * The platform as `scripts/run` runs it, for tests that use it from the outside (a fuzzer, a
 * browser): a fresh migrated database seeded by scripts/seed.ts (the demo tenant, organizer, admin
 * and published event), services/all as a real process on a free port, and the workers a test asks
 * for (names of scripts/platform-workers.txt), each a real process on the same database, and the
 * mock payment gateway (in the test's process, as paymentPipeline runs it). The Kafka consumers get groups and dead-letter topics of their own, so they read only this run's
 * events from where the topics end now. `close()` stops every process and drops the database and
 * the inventory its events left in the shared Redis.
 */
import { expect } from "bun:test";
import { join } from "node:path";
import { paymentSagaTopics } from "@booking-rush/booking/payment-outcomes";
import { closeRedis, createRedis } from "@booking-rush/lib/clients";
import { bookingTopics } from "@booking-rush/lib/contracts";
import { notificationTopics } from "@booking-rush/notification/notifier";
import { startMockGateway } from "@booking-rush/payment/mock-gateway-server";
import { paymentWorkerTopics } from "@booking-rush/payment/payment-consumer";
import postgres from "postgres";
import { eventually } from "./eventually";
import { createFreshDatabase } from "./fresh-database";
import { groupAtEnd } from "./fresh-group";
import { testKafka } from "./relay-fixture";
import { stackConfig, testLogger } from "./stack-config";
import { forgetEvents } from "./test-inventory";
import { spawnWorker } from "./worker-process";

const root = join(import.meta.dir, "..", "..", "..");

/** What scripts/seed.ts prints (and scripts/run keeps in .stack/demo.json). */
export interface DemoData {
  tenant: { id: string; slug: string };
  organizer: { email: string; password: string };
  admin: { email: string; password: string };
  event_id: string;
  show_id: string;
  zones: Record<string, string>;
}

/** The workers a test can ask for (the mock gateway always runs, in the test's process): their entrypoints under services/. */
const workerEntrypoints = {
  "expiry-sweeper": "booking/bin/expiry-sweeper.ts",
  "outbox-relay": "booking/bin/outbox-relay.ts",
  "queue-admitter": "booking/bin/queue-admitter.ts",
  projector: "projector/bin/projector.ts",
  "payment-worker": "payment/bin/payment-worker.ts",
  "payment-saga": "booking/bin/payment-saga.ts",
  notification: "notification/bin/notification.ts",
} as const;

export type PlatformWorker = keyof typeof workerEntrypoints;

export interface SeededPlatformOptions {
  /** Names the fresh database and the consumer groups. */
  label: string;
  /** Settings of every process, on top of the test's environment (the local stack's). */
  env?: Record<string, string>;
  /** Extra settings of services/all only. */
  platformEnv?: Record<string, string>;
  workers?: PlatformWorker[];
  /** The demo users' password (DEMO_PASSWORD of the seed). */
  demoPassword?: string;
}

/**
 * Settings of each worker that keep it to this run: its own consumer group, started at the end of
 * its topics (fresh-group.ts says why), its own dead-letter topic, its own outbox consumer name.
 */
async function isolation(worker: PlatformWorker, label: string, unique: string): Promise<Record<string, string>> {
  const group = (topics: readonly string[]) => groupAtEnd(testKafka, `${label}-${worker}`, topics);
  const deadLetter = (prefix: string) => `${prefix}.dead-letter.${label}-${unique}`;
  switch (worker) {
    case "outbox-relay":
      return { OUTBOX_CONSUMER_NAME: `${label}-${unique}` };
    case "payment-worker":
      return { PAYMENT_GROUP_ID: await group(paymentWorkerTopics), PAYMENT_DEAD_LETTER_TOPIC: deadLetter("payment") };
    case "payment-saga":
      return { PAYMENT_SAGA_GROUP_ID: await group(paymentSagaTopics), PAYMENT_SAGA_DEAD_LETTER_TOPIC: deadLetter("booking.saga") };
    case "projector":
      return { PROJECTOR_GROUP_ID: await group(bookingTopics), PROJECTOR_DEAD_LETTER_TOPIC: deadLetter("projector") };
    case "notification":
      return { NOTIFICATION_GROUP_ID: await group(notificationTopics), NOTIFICATION_DEAD_LETTER_TOPIC: deadLetter("notification") };
    default:
      return {};
  }
}

export async function seededPlatform(options: SeededPlatformOptions) {
  const unique = crypto.randomUUID().slice(0, 12);
  const demoPassword = options.demoPassword ?? `${options.label}-demo-password`;
  const database = await createFreshDatabase(options.label);
  const gateway = startMockGateway();
  const env = {
    DATABASE_URL: database.url,
    PAYMENT_GATEWAY_URL: gateway.url,
    JWT_SECRET: `${options.label}-signing-secret-0123456789abcdef`,
    QUEUE_PASS_SECRET: `${options.label}-queue-pass-secret-0123456789abcdef`,
    LOG_LEVEL: "error",
    ...options.env,
  };
  const processes: ReturnType<typeof spawnWorker>[] = [];
  async function close() {
    for (const process of processes) process.child.kill("SIGTERM");
    await Promise.all(processes.map((process) => process.child.exited));
    gateway.stop();
    await forgetInventory(database.url);
    await database.drop();
  }
  try {
    const seeded = Bun.spawnSync([process.execPath, "run", join(root, "scripts/seed.ts")], {
      env: { ...process.env, ...env, DEMO_PASSWORD: demoPassword },
      stdout: "pipe",
      stderr: "pipe",
    });
    if (seeded.exitCode !== 0) throw new Error(`seed failed: ${seeded.stderr.toString()}`);
    const demo = JSON.parse(seeded.stdout.toString()) as DemoData;
    for (const worker of options.workers ?? []) {
      processes.push(spawnWorker(workerEntrypoints[worker], { ...env, ...(await isolation(worker, options.label, unique)) }));
    }
    const platform = spawnWorker("all/bin/all.ts", { ...env, ...options.platformEnv });
    processes.push(platform);
    await Promise.all(
      processes.map((process) =>
        eventually(
          async () => {
            expect(process.child.exitCode).toBeNull();
            expect((await fetch(process.url("/readyz"))).status).toBe(200);
          },
          { timeoutMs: 120_000, intervalMs: 200 },
        ),
      ),
    );
    return {
      /** The platform's address, e.g. url("/api/v1/events"). */
      url: platform.url,
      process: platform,
      database,
      /** The platform's own mock payment gateway (its knobs make it fail, e.g. `knobs.failNext`). */
      gateway,
      demo,
      demoPassword,
      env,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export type SeededPlatform = Awaited<ReturnType<typeof seededPlatform>>;

/** The inventory of every event in the database (the seeded one and any made since), out of the shared Redis. */
async function forgetInventory(databaseUrl: string) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connection: { "app.access": "system" } });
  const events = await sql<{ id: string }[]>`select id from events`.catch(() => []);
  await sql.end({ timeout: 5 });
  const redis = createRedis(stackConfig.redis, testLogger, "seeded-platform-test");
  try {
    await forgetEvents(
      redis,
      events.map((event) => event.id),
    );
  } finally {
    await closeRedis(redis);
  }
}
