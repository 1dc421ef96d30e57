/**
 * Leader election through a Kubernetes Lease (coordination.k8s.io/v1), the way client-go does it:
 * the holder renews `renewTime` within `leaseDurationSeconds`; anyone may take a lease whose
 * renewal is overdue; every write carries the resourceVersion it read, so of two replicas racing
 * for it the API server lets exactly one through (409 for the other). Stepping down clears the
 * holder so the next replica takes over at once.
 *
 * @kubernetes/client-node for the configuration and the typed API, with one change for Bun: its
 * fetch (undici with an https dispatcher) loses the cluster CA under Bun, so requests go through
 * Bun's own fetch with `tls: { ca, cert, key }` from the kubeconfig. TLS is always verified.
 */
import {
  ApiException,
  CoordinationV1Api,
  createConfiguration,
  type KubeConfig,
  ResponseContext,
  ServerConfiguration,
  type V1Lease,
  V1MicroTime,
  wrapHttpLibrary,
} from "@kubernetes/client-node";
import type { Logger } from "../logger";
import type { Leadership } from "./leadership";

/** The typed Coordination API over Bun's fetch, authenticated and verified as the kubeconfig says. */
export async function coordinationApi(kubeConfig: KubeConfig): Promise<CoordinationV1Api> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  const https: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; headers?: Record<string, string> } = {};
  await kubeConfig.applyToHTTPSOptions(https as Parameters<KubeConfig["applyToHTTPSOptions"]>[0]);
  const tls = {
    ...(https.ca ? { ca: https.ca.toString() } : {}),
    ...(https.cert ? { cert: https.cert.toString() } : {}),
    ...(https.key ? { key: https.key.toString() } : {}),
  };
  const httpApi = wrapHttpLibrary({
    async send(request) {
      const headers = { ...request.getHeaders(), ...(https.headers ?? {}) };
      const response = await fetch(request.getUrl(), {
        method: request.getHttpMethod().toString(),
        headers,
        body: request.getBody() as string | undefined,
        signal: request.getSignal() ?? null,
        tls,
      } as RequestInit);
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name] = value;
      });
      const text = await response.text();
      return new ResponseContext(response.status, responseHeaders, {
        text: async () => text,
        binary: async () => Buffer.from(text),
        stream: () => new Response(text).body!,
      } as ConstructorParameters<typeof ResponseContext>[2]);
    },
  });
  return new CoordinationV1Api(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), httpApi }));
}

export interface LeaseOptions {
  namespace: string;
  name: string;
  /** This replica (the pod's name). */
  identity: string;
  leaseDurationSeconds: number;
}

const conflictOrMissing = (error: unknown, code: number) => error instanceof ApiException && error.code === code;

export function createLeaseLeadership(api: CoordinationV1Api, options: LeaseOptions, logger: Logger): Leadership {
  const { namespace, name, identity } = options;
  let leading = false;

  const spec = (lease: V1Lease | undefined, now: V1MicroTime) => ({
    holderIdentity: identity,
    leaseDurationSeconds: options.leaseDurationSeconds,
    renewTime: now,
    acquireTime: lease?.spec?.holderIdentity === identity && lease.spec.acquireTime ? new V1MicroTime(lease.spec.acquireTime) : now,
    leaseTransitions:
      (lease?.spec?.leaseTransitions ?? 0) + (lease?.spec?.holderIdentity && lease.spec.holderIdentity !== identity ? 1 : 0),
  });

  async function attempt(): Promise<boolean> {
    // Lease times are MicroTime: microseconds on the wire, which a plain Date does not write.
    const now = new V1MicroTime();
    let lease: V1Lease | undefined;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!conflictOrMissing(error, 404)) throw error;
    }
    if (!lease) {
      try {
        await api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: spec(undefined, now) } });
        return true;
      } catch (error) {
        if (conflictOrMissing(error, 409)) return false;
        throw error;
      }
    }
    const holder = lease.spec?.holderIdentity;
    const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
    const expired = renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000 < now.getTime();
    if (holder && holder !== identity && !expired) return false;
    try {
      await api.replaceNamespacedLease({
        name,
        namespace,
        body: { metadata: { ...lease.metadata, name, namespace }, spec: spec(lease, now) },
      });
      return true;
    } catch (error) {
      if (conflictOrMissing(error, 409)) return false;
      throw error;
    }
  }

  return {
    async lead() {
      const now = await attempt().catch((error) => {
        logger.warn("lease not reachable", { lease: name, error: error instanceof Error ? error.message : String(error) });
        return false;
      });
      if (now !== leading) logger.info(now ? "leading" : "not leading", { lease: name, identity });
      leading = now;
      return now;
    },
    async release() {
      if (!leading) return;
      leading = false;
      try {
        const lease = await api.readNamespacedLease({ name, namespace });
        if (lease.spec?.holderIdentity !== identity) return;
        await api.replaceNamespacedLease({
          name,
          namespace,
          body: { metadata: lease.metadata, spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1 } },
        });
      } catch (error) {
        logger.warn("lease not released", { lease: name, error: error instanceof Error ? error.message : String(error) });
      }
    },
  };
}
