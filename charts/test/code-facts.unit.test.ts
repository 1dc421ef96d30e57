/**
 * Facts stated once: what the chart restates about the processes is checked against the code's
 * own constants and settings defaults. Every Kafka worker's `kafkaScaling` (the consumer group and
 * topics KEDA measures the lag of) is the group it joins and the topics it subscribes to, and every
 * process listens by default on the port the chart gives it. Needs no helm and no stack.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { paymentSagaTopics } from "@booking-rush/booking/payment-outcomes";
import { paymentSagaSettings } from "@booking-rush/booking/settings";
import { type AnyGroup, loadConfig } from "@booking-rush/lib/config";
import { bookingTopics } from "@booking-rush/lib/contracts";
import { notificationTopics } from "@booking-rush/notification/notifier";
import { notificationSettings } from "@booking-rush/notification/settings";
import { mockGatewaySettings } from "@booking-rush/payment/mock-gateway-settings";
import { paymentWorkerTopics } from "@booking-rush/payment/payment-consumer";
import { paymentSettings } from "@booking-rush/payment/settings";
import { projectorSettings } from "@booking-rush/projector/settings";
import { parse } from "yaml";
import { type ReadSource, serviceSettingsDefaults } from "./support/entrypoint-source";

const root = join(import.meta.dir, "..", "..");
const chart = join(root, "charts", "booking-rush");
const readSource: ReadSource = (path) => (existsSync(join(root, path)) ? readFileSync(join(root, path), "utf8") : undefined);

type KafkaScaling = { enabled?: boolean; consumerGroup?: string; topics?: string[] };
type ServiceValues = { entrypoint?: string; port?: number; env?: Record<string, string>; kafkaScaling?: KafkaScaling };
type ChartValues = { config?: Record<string, string>; services?: Record<string, ServiceValues> };
const values = parse(readFileSync(join(chart, "values.yaml"), "utf8")) as ChartValues;
const kind = parse(readFileSync(join(chart, "values-kind.yaml"), "utf8")) as ChartValues;

/**
 * Each Kafka worker of the code, by chart key: the settings group holding its consumer group (its
 * `groupId`, read through the code's own parsing so the default and any override the chart sets
 * count), the topics its consumer subscribes to, and where both are used: the consumer module
 * passes `topics: <topicsName>`, the entrypoint runs `<group>: <settingsName>` and measures
 * `registerConsumerLag(..., config.<group>.groupId, <topicsName>)`.
 */
const kafkaWorkers: Record<
  string,
  { settings: AnyGroup; settingsName: string; topics: readonly string[]; topicsName: string; consumer: string }
> = {
  "payment-saga": {
    settings: paymentSagaSettings,
    settingsName: "paymentSagaSettings",
    topics: paymentSagaTopics,
    topicsName: "paymentSagaTopics",
    consumer: "services/booking/src/payment-outcomes.ts",
  },
  projector: {
    settings: projectorSettings,
    settingsName: "projectorSettings",
    topics: bookingTopics,
    topicsName: "bookingTopics",
    consumer: "services/projector/src/projector-consumer.ts",
  },
  "payment-worker": {
    settings: paymentSettings,
    settingsName: "paymentSettings",
    topics: paymentWorkerTopics,
    topicsName: "paymentWorkerTopics",
    consumer: "services/payment/src/payment-consumer.ts",
  },
  notification: {
    settings: notificationSettings,
    settingsName: "notificationSettings",
    topics: notificationTopics,
    topicsName: "notificationTopics",
    consumer: "services/notification/src/notifier.ts",
  },
};

/** The consumer group the worker joins with the chart's settings (its ConfigMap, then its own env) in its environment. */
const joinedGroup = (settings: AnyGroup, env: Record<string, string>) =>
  (loadConfig({ worker: settings }, env).worker as { groupId: string }).groupId;

/** What is wrong with the chart's `kafkaScaling` of `key` against what the code's worker `worker` does; an empty list when nothing. */
function kafkaScalingProblems(
  key: string,
  service: ServiceValues | undefined,
  worker: { group: string; topics: readonly string[] } | undefined,
): string[] {
  const scaling = service?.kafkaScaling;
  if (!worker) return scaling?.enabled ? [`${key}: has kafkaScaling but the code has no Kafka worker ${key}`] : [];
  if (!service) return [`${key}: a Kafka worker in the code, not a service of the chart`];
  if (!scaling?.enabled) return [`${key}: a Kafka worker without kafkaScaling`];
  const problems: string[] = [];
  if (scaling.consumerGroup !== worker.group)
    problems.push(`${key}: kafkaScaling.consumerGroup ${scaling.consumerGroup} is not the group it joins, ${worker.group}`);
  const chartTopics = [...(scaling.topics ?? [])].sort();
  const codeTopics = [...worker.topics].sort();
  if (JSON.stringify(chartTopics) !== JSON.stringify(codeTopics))
    problems.push(`${key}: kafkaScaling.topics ${chartTopics.join(",")} are not the topics it subscribes to, ${codeTopics.join(",")}`);
  return problems;
}

const serviceKeys = Object.keys(values.services ?? {});

describe("the chart's kafkaScaling states what the Kafka workers do", () => {
  test("the check refuses another group, a missing or extra topic, a worker without kafkaScaling, and kafkaScaling without a worker", () => {
    const worker = { group: "projector", topics: ["booking.created", "booking.expired"] };
    const service = (kafkaScaling: KafkaScaling): ServiceValues => ({ kafkaScaling });
    expect(
      kafkaScalingProblems(
        "projector",
        service({ enabled: true, consumerGroup: "projector", topics: ["booking.expired", "booking.created"] }),
        worker,
      ),
    ).toEqual([]);
    expect(
      kafkaScalingProblems("projector", service({ enabled: true, consumerGroup: "projection", topics: worker.topics }), worker),
    ).toEqual(["projector: kafkaScaling.consumerGroup projection is not the group it joins, projector"]);
    expect(
      kafkaScalingProblems("projector", service({ enabled: true, consumerGroup: "projector", topics: ["booking.created"] }), worker),
    ).toEqual(["projector: kafkaScaling.topics booking.created are not the topics it subscribes to, booking.created,booking.expired"]);
    expect(
      kafkaScalingProblems(
        "projector",
        service({ enabled: true, consumerGroup: "projector", topics: [...worker.topics, "booking.confirmed"] }),
        worker,
      ),
    ).toHaveLength(1);
    expect(kafkaScalingProblems("projector", service({ enabled: false }), worker)).toEqual([
      "projector: a Kafka worker without kafkaScaling",
    ]);
    expect(kafkaScalingProblems("projector", undefined, worker)).toEqual([
      "projector: a Kafka worker in the code, not a service of the chart",
    ]);
    expect(kafkaScalingProblems("outbox-relay", service({ enabled: true }), undefined)).toEqual([
      "outbox-relay: has kafkaScaling but the code has no Kafka worker outbox-relay",
    ]);
  });

  test("every service's kafkaScaling is its worker's consumer group and topics, and every Kafka worker has one", () => {
    const keys = new Set([...serviceKeys, ...Object.keys(kafkaWorkers)]);
    for (const key of keys) {
      const service = values.services?.[key];
      const known = kafkaWorkers[key];
      const worker = known && { group: joinedGroup(known.settings, { ...values.config, ...service?.env }), topics: known.topics };
      expect(kafkaScalingProblems(key, service, worker), key).toEqual([]);
    }
    expect(Object.keys(kafkaWorkers)).toHaveLength(4);
  });

  test("the topics and settings above are what each worker's consumer subscribes to and its entrypoint measures the lag of", () => {
    for (const [key, worker] of Object.entries(kafkaWorkers)) {
      expect(readSource(worker.consumer), worker.consumer).toContain(`topics: ${worker.topicsName},`);
      const entrypoint = values.services?.[key]?.entrypoint ?? "";
      const lag = readSource(entrypoint)?.match(/registerConsumerLag\(\w+, \w+, config\.(\w+)\.groupId, (\w+)\)/);
      expect(lag?.[2], entrypoint).toBe(worker.topicsName);
      expect(readSource(entrypoint), entrypoint).toContain(`${lag?.[1]}: ${worker.settingsName},`);
    }
  });

  test("no other module of the services runs a Kafka consumer, and no other entrypoint measures a consumer's lag", () => {
    const consumers: string[] = [];
    const lagMeasured: string[] = [];
    // lib holds the consumer clients themselves, test-support the tests' own collectors.
    for (const service of readdirSync(join(root, "services")).filter((name) => name !== "lib" && name !== "test-support")) {
      for (const folder of ["src", "bin"]) {
        const dir = join(root, "services", service, folder);
        if (!existsSync(dir)) continue;
        for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".ts"))) {
          const path = `services/${service}/${folder}/${file}`;
          const source = readSource(path) ?? "";
          if (/\b(createEventConsumer|createWorkerConsumer|superviseConsumer|createConsumer)\(/.test(source)) consumers.push(path);
          if (/\bregisterConsumerLag\(/.test(source)) lagMeasured.push(path);
        }
      }
    }
    const workers = Object.entries(kafkaWorkers);
    expect(consumers.sort()).toEqual(workers.map(([, worker]) => worker.consumer).sort());
    expect(lagMeasured.sort()).toEqual(workers.map(([key]) => values.services?.[key]?.entrypoint ?? key).sort());
  });
});

describe("the chart's ports are the processes' own", () => {
  test("every service's port in values.yaml is the default port of the serviceSettings its entrypoint runs with", () => {
    for (const key of serviceKeys) {
      const service = values.services?.[key];
      const defaults = serviceSettingsDefaults(service?.entrypoint ?? "", readSource);
      expect(defaults?.port, key).toBeDefined();
      expect(service?.port, key).toEqual(defaults?.port);
    }
    expect(serviceKeys.length).toBeGreaterThanOrEqual(11);
  });

  test("the mock gateway of values-kind.yaml listens on its chart port, and that is its default too", () => {
    const gateway = kind.services?.["mock-gateway"];
    const port = gateway?.port;
    expect(port).toBeNumber();
    expect(loadConfig({ gateway: mockGatewaySettings }, { ...gateway?.env }).gateway.port).toBe(port as number);
    expect(loadConfig({ gateway: mockGatewaySettings }, {}).gateway.port).toBe(port as number);
  });
});
