/**
 * Which leader election a worker uses: a Kubernetes Lease when it runs in a cluster (the API
 * server is the arbiter every replica already trusts), a Redlock over the lock servers outside
 * one. Chosen once at start-up from LEADER_ELECTION (auto: Kubernetes when
 * KUBERNETES_SERVICE_HOST is set, as in every pod).
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { Type } from "@sinclair/typebox";
import { settingsGroup } from "../config";
import type { Logger } from "../logger";
import { createLeadership, type Leadership } from "./leadership";
import type { Locks } from "./locks";

const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

export const leaderElectionSettings = settingsGroup(
  {
    LEADER_ELECTION: Type.Union([Type.Literal("auto"), Type.Literal("kubernetes"), Type.Literal("redis")], {
      default: "auto",
      description: "How replicas of a worker elect the one that works: a Kubernetes Lease, a Redlock, or auto (Lease inside a cluster)",
    }),
    LEADER_ELECTION_NAMESPACE: Type.Optional(
      Type.String({ minLength: 1, description: "Namespace of the Lease; defaults to the pod's own namespace" }),
    ),
    POD_NAME: Type.Optional(
      Type.String({
        minLength: 1,
        description: "This replica's identity in the Lease (the Downward API's metadata.name); defaults to the host name",
      }),
    ),
    KUBERNETES_SERVICE_HOST: Type.Optional(
      Type.String({ description: "Set by Kubernetes in every pod; its presence means: inside a cluster" }),
    ),
  },
  (values) => ({
    kind:
      values.LEADER_ELECTION === "auto"
        ? values.KUBERNETES_SERVICE_HOST
          ? ("kubernetes" as const)
          : ("redis" as const)
        : values.LEADER_ELECTION,
    namespace: values.LEADER_ELECTION_NAMESPACE,
    identity: values.POD_NAME ?? hostname(),
  }),
);

export type LeaderElectionConfig = ReturnType<typeof leaderElectionSettings.shape>;

/** `name`: a DNS label, e.g. "expiry-sweeper" (the Lease's name, and the Redlock's resource). */
export function createProcessLeadership(
  config: LeaderElectionConfig,
  locks: Locks,
  name: string,
  ttlMs: number,
  logger: Logger,
): Leadership {
  if (config.kind === "redis") return createLeadership(locks, `leader:${name}`, { ttlMs }, logger);
  // Loaded only inside a cluster: the Kubernetes client is large and no other process needs it.
  const lease = (async () => {
    const [{ KubeConfig }, { coordinationApi, createLeaseLeadership }] = await Promise.all([
      import("@kubernetes/client-node"),
      import("./kube-lease"),
    ]);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromCluster();
    const namespace = config.namespace ?? readFileSync(serviceAccountNamespace, "utf8").trim();
    return createLeaseLeadership(
      await coordinationApi(kubeConfig),
      { namespace, name: `booking-rush-${name}`, identity: config.identity, leaseDurationSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) },
      logger,
    );
  })();
  lease.catch((error) =>
    logger.error("leader election through a Lease is not possible", { error: error instanceof Error ? error.message : String(error) }),
  );
  return {
    lead: async () => (await lease.catch(() => undefined))?.lead() ?? false,
    release: async () => (await lease.catch(() => undefined))?.release(),
  };
}
