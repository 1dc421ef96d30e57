/**
 * The umbrella chart on a real cluster (issue 13, "A cluster test"), after `helm install --wait` of
 * the CI profile by scripts/test-cluster/run. In order, on one release:
 *   1. every Deployment and StatefulSet Ready, the migrations hook applied every migration, the
 *      reconciler CronJob scheduled;
 *   2. a purchase end to end through the release's Ingress, served by Traefik (the runner installs
 *      it first): register, log in, reserve, pay, the saga confirms, the e-mail is in the in-release
 *      SMTP sink, the next reconciler run is clean;
 *   3. the Redis master pod deleted in the middle of a small sale: the in-release Sentinels fail
 *      over, every acknowledged hold is still there, nothing oversold, PostgreSQL agrees;
 *   4. a booking pod deleted under load: clients only retry (same Idempotency-Key), nothing is lost
 *      or doubled;
 *   5. `helm upgrade` to a changed value rolls every pod while requests flow, none fails.
 * Sections 3–5 call the services' own Services: what they prove is the release's, not the Ingress
 * controller's (one Traefik pod in front would add its own failure to every retry count).
 * (`helm uninstall` is uninstall.cluster.ts, run after the observability and scaling checks.)
 * Runs inside the cluster's network namespace (scripts/cluster exec), like a pod.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "@booking-rush/test-support/eventually";
import {
  type Answer,
  expectStatus,
  inventoryStatus,
  logIn,
  newBuyer,
  publishedZone,
  RetryLog,
  send,
  sendAgainOn503,
  sendRetrying,
} from "./support/api";
import {
  type Demo,
  helm,
  ingressEntry,
  kubectl,
  kubectlJson,
  release,
  releaseSettings,
  root,
  seedDemo,
  serviceUrl,
} from "./support/release";

const log = (message: string) => console.log(`[cluster] ${message}`);

// biome-ignore lint/suspicious/noExplicitAny: spec and status of every kind of object kubectl prints (pods, deployments, jobs)
type KubeFields = any;
type Item<S = KubeFields> = {
  metadata: {
    name: string;
    uid: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
  };
  spec: S;
  status: KubeFields;
};
type List<S = KubeFields> = { items: Item<S>[] };

function podsOf(app: string): Item[] {
  return kubectlJson<List>(["get", "pods", "--selector", `app.kubernetes.io/instance=${release.name},app.kubernetes.io/name=${app}`]).items;
}

function readyPods(app: string): Item[] {
  return podsOf(app).filter(
    (pod) =>
      !pod.metadata.deletionTimestamp &&
      pod.status.conditions?.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True"),
  );
}

/** The seeded demo tenant (scripts/seed.ts run against the release's own PostgreSQL and Redis). */
let demo: Demo;
let organizerToken = "";
let adminToken = "";

/** Kept across the sections: the booking the purchase confirmed. */
let purchaseConfirmedAt = 0;
/** The release's Ingress, once its controller has taken it. */
let ingress: ReturnType<typeof ingressEntry>;

describe("the release", () => {
  test("every Deployment and StatefulSet is Ready", () => {
    const deployments = kubectlJson<List>(["get", "deployments", "--selector", `app.kubernetes.io/instance=${release.name}`]).items;
    const statefulSets = kubectlJson<List>(["get", "statefulsets", "--selector", `app.kubernetes.io/instance=${release.name}`]).items;
    expect(deployments.length).toBeGreaterThan(10);
    expect(statefulSets.length).toBeGreaterThan(3);
    const notReady = [...deployments, ...statefulSets]
      .filter((item) => (item.status.readyReplicas ?? 0) < item.spec.replicas)
      .map((item) => `${item.metadata.name} ${item.status.readyReplicas ?? 0}/${item.spec.replicas}`);
    expect(notReady).toEqual([]);
    log(`release Ready: ${deployments.length} Deployments, ${statefulSets.length} StatefulSets`);
  });

  test("the migrations hook applied every migration", () => {
    const journal = JSON.parse(readFileSync(join(root, "drizzle/migrations/meta/_journal.json"), "utf8")) as { entries: unknown[] };
    const databaseUrl = new URL(releaseSettings().DATABASE_URL ?? fail("the release's Secret has no DATABASE_URL"));
    const user = databaseUrl.username;
    const database = databaseUrl.pathname.slice(1);
    const applied = kubectl([
      "exec",
      `${release.name}-postgresql-0`,
      "--",
      "psql",
      "-U",
      user,
      "-d",
      database,
      "-tAc",
      "select count(*) from drizzle.__drizzle_migrations",
    ]).trim();
    expect(Number(applied)).toBe(journal.entries.length);
  });

  test("the reconciler CronJob is scheduled", () => {
    const cronJob = kubectlJson<Item<{ schedule: string; suspend?: boolean }>>(["get", "cronjob", `${release.name}-reconciler`]);
    expect(cronJob.spec.schedule).toBe("* * * * *");
    expect(cronJob.spec.suspend ?? false).toBe(false);
  });
});

describe("a purchase end to end", () => {
  test("the demo tenant is seeded into the release's own stores", () => {
    demo = seedDemo();
    expect(demo.zones.Standing).toBeString();
  });

  test("Traefik took the release's Ingress: its status names Traefik's Service, which routes the Ingress's host only", async () => {
    const entry = await eventually(ingressEntry, { timeoutMs: 60_000, intervalMs: 1_000 });
    expect(entry.className).toBe("traefik");
    expect(entry.url).toBe("http://traefik.traefik.svc.cluster.local");
    expect(entry.host).toBe("booking-rush.cluster.test");
    ingress = entry;
    // The rule's host reaches the catalog through Traefik; any other host is Traefik's own 404.
    const events = await send("catalog", "GET", "/events", { entry });
    expect(events.status).toBe(200);
    expect(events.body.success).toBe(true);
    const elsewhere = await send("catalog", "GET", "/events", { entry: { ...entry, host: "not-booking-rush.cluster.test" } });
    expect(elsewhere.status).toBe(404);
    expect(String(elsewhere.body)).toContain("404 page not found");
    log(`Ingress ${release.name}-api (class ${entry.className}) taken by Traefik: ${entry.url}, Host ${entry.host}; another host: 404`);
  });

  test("through the Ingress: register, log in, reserve, pay; the saga confirms and the e-mail is in the sink", async () => {
    const entry = ingress;
    organizerToken = await logIn(demo.organizer.email, demo.organizer.password, entry);
    adminToken = await logIn(demo.admin.email, demo.admin.password, entry);
    const registered = await newBuyer("purchase", entry);
    const buyer = { ...registered, token: await logIn(registered.email, registered.password, entry) };
    const hold = expectStatus(
      await send("booking", "POST", "/bookings/reserve", {
        entry,
        token: buyer.token,
        idempotencyKey: crypto.randomUUID(),
        body: { show_id: demo.show_id, zone_id: demo.zones.Standing, quantity: 2 },
      }),
      201,
      "reserve",
    ).data;
    expect(hold.status).toBe("reserved");
    const payment = expectStatus(
      await send("payment", "POST", "/payments", {
        entry,
        token: buyer.token,
        idempotencyKey: crypto.randomUUID(),
        body: { booking_id: hold.booking_id, method: "card" },
      }),
      202,
      "pay",
    ).data;
    const booking = await eventually(
      async () => {
        const answer = expectStatus(
          await send("booking", "GET", `/bookings/${hold.booking_id}`, { entry, token: buyer.token }),
          200,
          "booking",
        ).data;
        if (answer.status !== "confirmed") throw new Error(`booking is ${answer.status}`);
        return answer;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    purchaseConfirmedAt = Date.now();
    expect(booking.quantity).toBe(2);
    const paid = expectStatus(
      await send("payment", "GET", `/payments/${payment.payment_id}`, { entry, token: buyer.token }),
      200,
      "payment",
    ).data;
    expect(paid.status).toBe("succeeded");
    const mail = await eventually(
      async () => {
        const inbox = (await (await fetch(`${serviceUrl("smtp", 1080)}/email`)).json()) as { to: { address: string }[]; subject: string }[];
        const found = inbox.find((message) => message.to.some((to) => to.address === buyer.email));
        if (!found) throw new Error(`no e-mail to ${buyer.email} among ${inbox.length}`);
        return found;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    log(
      `purchase through the Ingress (Traefik, Host ${entry.host}): buyer registered and logged in, booking ${hold.booking_id} confirmed, payment ${payment.payment_id} succeeded, e-mail "${mail.subject}" caught by the sink`,
    );
  });

  test("behind the waiting room: refused without a pass, joined, admitted by the queue-admitter, held with the pass", async () => {
    const zone = await publishedZone(organizerToken, 10, "Waiting room sale");
    expectStatus(
      await sendAgainOn503("catalog", "PUT", `/events/${zone.eventId}`, {
        token: organizerToken,
        body: { queue_enabled: true, queue_rate_per_minute: 600 },
      }),
      200,
      "waiting room on",
    );
    const registered = await newBuyer("queue");
    const token = await logIn(registered.email, registered.password);
    const reserve = async (queuePass?: string) =>
      send("booking", "POST", "/bookings/reserve", {
        token,
        queuePass,
        idempotencyKey: crypto.randomUUID(),
        body: { show_id: zone.showId, zone_id: zone.zoneId, quantity: 1 },
      });
    const refused = await reserve();
    expect([refused.status, refused.body?.error?.code]).toEqual([403, "QUEUE_REQUIRED"]);
    const joined = expectStatus(
      await send("booking", "POST", "/queue/join", { token, body: { event_id: zone.eventId } }),
      200,
      "join",
    ).data;
    const admitted = await eventually(
      async () => {
        const answer = expectStatus(await send("booking", "GET", `/queue/status?event_id=${zone.eventId}`, { token }), 200, "status").data;
        if (answer.status !== "admitted") throw new Error(`the buyer is ${answer.status}, position ${answer.position}`);
        return answer;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const hold = expectStatus(await reserve(admitted.queue_pass), 201, "reserve with the pass").data;
    expect(hold.status).toBe("reserved");
    log(
      `waiting room: joined as ${joined.status} (position ${joined.position}), admitted by the queue-admitter, booking ${hold.booking_id} held with the pass; without it 403 QUEUE_REQUIRED`,
    );
  });

  test("the reconciler's next run is clean", async () => {
    const job = await eventually(
      () => {
        const jobs = kubectlJson<List>(["get", "jobs"]).items.filter(
          (item) =>
            item.metadata.ownerReferences?.some((owner) => owner.kind === "CronJob" && owner.name === `${release.name}-reconciler`) &&
            Date.parse(item.status.startTime ?? 0) > purchaseConfirmedAt,
        );
        const done = jobs.find((item) => item.status.succeeded === 1 || item.status.failed);
        if (!done) throw new Error(`no reconciler run finished since the purchase (${jobs.length} started)`);
        return done;
      },
      { timeoutMs: 180_000, intervalMs: 2_000 },
    );
    const output = kubectl(["logs", `job/${job.metadata.name}`]);
    const summary = output.split("\n").find((line) => line.includes("reconciliation done"));
    expect(job.status.succeeded).toBe(1);
    expect(summary).toBeDefined();
    expect(JSON.parse(summary!).result).toBe("clean");
    log(`reconciler: ${job.metadata.name} ${summary}`);
  });
});

/** Which Redis pod Sentinel names master: by its announced host name (<pod>.<service>) or address. */
function redisMasterPod(): string {
  const sentinel = readyPods("redis-sentinel")[0] ?? fail("no Sentinel pod is Ready");
  const answer = kubectl([
    "exec",
    sentinel.metadata.name,
    "--",
    "redis-cli",
    "-p",
    "26379",
    "SENTINEL",
    "get-master-addr-by-name",
    "mymaster",
  ])
    .trim()
    .split("\n");
  const address = answer[0] ?? "";
  const pod = podsOf("redis").find((candidate) => candidate.status.podIP === address || candidate.metadata.name === address.split(".")[0]);
  if (!pod) throw new Error(`Sentinel names ${address} master, no redis pod has that address`);
  return pod.metadata.name;
}

function fail(message: string): never {
  throw new Error(message);
}

describe("the Redis master pod deleted in the middle of a sale", () => {
  test("Sentinels fail over; no acknowledged hold lost, nothing oversold, PostgreSQL agrees", async () => {
    const seats = 40;
    const zone = await publishedZone(organizerToken, seats, "Failover sale");
    const buyers = await Promise.all(Array.from({ length: 12 }, (_, index) => newBuyer(`failover-${index}`)));
    const retries = new RetryLog();
    const acknowledged = new Set<string>();
    const rejections = new Map<string, number>();
    const masterBefore = redisMasterPod();
    const masterUid = kubectlJson<Item>(["get", "pod", masterBefore]).metadata.uid;
    let deleted = false;
    // Once the master pod is deleted, the buyers wait until its Redis is really gone (the pod
    // replaced: a new uid, or none yet) before they go on; otherwise a quick sale can sell out
    // while the kubelet is still stopping the old one, and the failover happens after the sale.
    let masterGone: Promise<unknown> | undefined;
    const sale = buyers.map(async (buyer) => {
      const deadline = Date.now() + 150_000;
      while (Date.now() < deadline) {
        await masterGone;
        const answer: Answer = await sendRetrying(
          "booking",
          "POST",
          "/bookings/reserve",
          { token: buyer.token, idempotencyKey: crypto.randomUUID(), body: { show_id: zone.showId, zone_id: zone.zoneId, quantity: 1 } },
          retries,
          { deadlineMs: 90_000 },
        );
        if (answer.status === 201) {
          acknowledged.add(answer.body.data.booking_id);
          if (!deleted && acknowledged.size >= 10) {
            deleted = true;
            kubectl(["delete", "pod", masterBefore, "--wait=false"]);
            log(`deleted the Redis master ${masterBefore} after ${acknowledged.size} holds`);
            masterGone = eventually(
              () => {
                const pod = kubectlJson<List>(["get", "pods", "--field-selector", `metadata.name=${masterBefore}`]).items[0];
                if (pod?.metadata.uid === masterUid) throw new Error(`${masterBefore} is still the old pod`);
              },
              { timeoutMs: 120_000, intervalMs: 250 },
            );
          }
          continue;
        }
        const code = answer.body?.error?.code ?? String(answer.status);
        rejections.set(code, (rejections.get(code) ?? 0) + 1);
        if (code === "INSUFFICIENT_STOCK" || code === "MAX_PER_USER_EXCEEDED") return;
        if (code === "RATE_LIMITED") await Bun.sleep(200);
        else throw new Error(`reserve answered ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    });
    await Promise.all(sale);
    log(
      `failover sale: ${acknowledged.size} holds acknowledged of ${seats}; ${retries}; rejections ${JSON.stringify(Object.fromEntries(rejections))}`,
    );
    expect(deleted).toBe(true);
    // The Sentinels act once the old master has been down for down-after-milliseconds (5 s).
    const masterAfter = await eventually(
      () => {
        const master = redisMasterPod();
        if (master === masterBefore) throw new Error(`Sentinel still names ${master} master`);
        return master;
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    expect(masterAfter).not.toBe(masterBefore);
    expect(acknowledged.size).toBe(seats);
    const missing: string[] = [];
    for (const bookingId of acknowledged) {
      const answer = await send("booking", "GET", `/bookings/${bookingId}`, { token: adminToken });
      if (answer.status !== 200 || answer.body.data.status !== "reserved")
        missing.push(`${bookingId}: ${answer.status} ${answer.body?.data?.status ?? ""}`);
    }
    expect(missing).toEqual([]);
    const settled = await eventually(
      async () => {
        const [status] = await inventoryStatus(adminToken, zone.showId);
        if (status?.verdict !== "clean") throw new Error(`zone verdict ${status?.verdict}: ${JSON.stringify(status)}`);
        return status;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(settled.redis).toMatchObject({ available: 0, reserved: seats, sold: 0 });
    expect(settled.postgres).toMatchObject({ available: 0, reserved: seats, sold: 0 });
    await eventually(
      () => {
        if (readyPods("redis").length !== podsOf("redis").length) throw new Error("the deleted Redis pod is not back");
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    log(`failover: master ${masterBefore} → ${masterAfter}; PostgreSQL and Redis agree: ${JSON.stringify(settled.redis)}`);
  });
});

/**
 * Buyers hold one place, look at it and cancel it, over and over, until `stop()`; every request
 * carries an Idempotency-Key. What the API tells a client to retry is retried as a client does, not
 * counted as a failure: a 429 after its Retry-After, a 503 that asks for the same Idempotency-Key
 * again (a replica slow to confirm). With a RetryLog any failed request (a lost connection, a 5xx)
 * is retried with the same key; without one, it is recorded as a failure.
 */
function churn(buyers: { token: string }[], zone: { showId: string; zoneId: string }, retries: RetryLog | null) {
  let running = true;
  const failures: string[] = [];
  const reserveKeys: string[] = [];
  let requests = 0;
  let rateLimited = 0;
  let replicaLag = 0;
  const attempt = (
    service: "booking",
    method: string,
    path: string,
    request: { token: string; body?: unknown; idempotencyKey?: string },
  ) => (retries ? sendRetrying(service, method, path, request, retries) : send(service, method, path, request));
  const call = async (
    service: "booking",
    method: string,
    path: string,
    request: { token: string; body?: unknown; idempotencyKey?: string },
    expected: number,
  ) => {
    requests++;
    let answer: Answer;
    try {
      answer = await attempt(service, method, path, request);
      for (;;) {
        if (answer.status === 429) {
          rateLimited++;
          await Bun.sleep(Math.ceil((answer.body?.error?.details?.retry_after_seconds ?? 1) * 1000));
        } else if (
          answer.status === 503 &&
          request.idempotencyKey &&
          answer.body?.error?.details?.dependency === "redis" &&
          /same Idempotency-Key/.test(answer.body?.error?.message ?? "")
        ) {
          // The API's own instruction (a replica did not confirm in time, on a busy node): the same
          // request again with the same key. Not a connection lost to the rollout; counted apart.
          replicaLag++;
          await Bun.sleep(250);
        } else break;
        answer = await attempt(service, method, path, request);
      }
    } catch (error) {
      failures.push(`${method} ${path}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
    if (answer.status !== expected) {
      failures.push(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
      return null;
    }
    return answer.body.data;
  };
  const loops = buyers.map(async (buyer) => {
    while (running) {
      const key = crypto.randomUUID();
      reserveKeys.push(key);
      const hold = await call(
        "booking",
        "POST",
        "/bookings/reserve",
        { token: buyer.token, idempotencyKey: key, body: { show_id: zone.showId, zone_id: zone.zoneId, quantity: 1 } },
        201,
      );
      if (!hold) continue;
      await call("booking", "GET", `/bookings/${hold.booking_id}`, { token: buyer.token }, 200);
      await call(
        "booking",
        "POST",
        `/bookings/${hold.booking_id}/cancel`,
        { token: buyer.token, idempotencyKey: crypto.randomUUID() },
        200,
      );
    }
  });
  return {
    failures,
    reserveKeys,
    requests: () => requests,
    rateLimited: () => rateLimited,
    replicaLag: () => replicaLag,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function bookingsOf(token: string): Promise<{ booking_id: string; status: string }[]> {
  const all: { booking_id: string; status: string }[] = [];
  for (let page = 1; ; page++) {
    const answer = expectStatus(await send("booking", "GET", `/bookings?page=${page}&per_page=100`, { token }), 200, "list bookings");
    all.push(...answer.data);
    if (answer.data.length < 100) return all;
  }
}

describe("a booking pod deleted under load", () => {
  test("clients only retry; every hold is answered once and released, nothing lost", async () => {
    const zone = await publishedZone(organizerToken, 100, "Pod loss sale");
    const buyers = await Promise.all(Array.from({ length: 10 }, (_, index) => newBuyer(`pod-loss-${index}`)));
    const before = readyPods("booking");
    expect(before.length).toBeGreaterThanOrEqual(2);
    const retries = new RetryLog();
    const load = churn(buyers, zone, retries);
    await eventually(
      () => {
        if (load.requests() < 30) throw new Error(`${load.requests()} requests so far`);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    kubectl(["delete", "pod", before[0]!.metadata.name, "--wait=false"]);
    await eventually(
      () => {
        const ready = readyPods("booking");
        if (ready.length < before.length || ready.some((pod) => pod.metadata.name === before[0]!.metadata.name))
          throw new Error("the replacement pod is not Ready yet");
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const afterReplacement = load.requests();
    await eventually(
      () => {
        if (load.requests() < afterReplacement + 30) throw new Error("load has not gone on after the replacement");
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    await load.stop();
    log(
      `booking pod ${before[0]!.metadata.name} deleted under load: ${load.requests()} requests (${load.rateLimited()} waited out a 429), ${retries}`,
    );
    expect(load.failures).toEqual([]);
    const holds = (await Promise.all(buyers.map((buyer) => bookingsOf(buyer.token)))).flat();
    expect(holds.length).toBe(load.reserveKeys.length);
    expect(holds.filter((hold) => hold.status !== "cancelled")).toEqual([]);
    const settled = await eventually(
      async () => {
        const [status] = await inventoryStatus(adminToken, zone.showId);
        if (status?.verdict !== "clean" || status.redis?.available !== 100) throw new Error(JSON.stringify(status));
        return status;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(settled.postgres.available).toBe(100);
  });
});

describe("helm upgrade to a changed value", () => {
  test("rolls every pod while requests flow, and no request fails", async () => {
    const zone = await publishedZone(organizerToken, 100, "Upgrade sale");
    const buyers = await Promise.all(Array.from({ length: 10 }, (_, index) => newBuyer(`upgrade-${index}`)));
    const bookingPodsBefore = new Set(podsOf("booking").map((pod) => pod.metadata.uid));
    const revisionBefore = JSON.parse(helm(["history", release.name, "--output", "json"])).length as number;
    const load = churn(buyers, zone, null);
    const started = Date.now();
    const upgrade = Bun.spawn(
      [
        release.helm,
        "--namespace",
        release.namespace,
        "upgrade",
        release.name,
        ...release.chartArgs,
        "--set",
        "config.LOG_LEVEL=info",
        "--wait",
        "--timeout",
        "10m",
      ],
      {
        cwd: root,
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const code = await upgrade.exited;
    await load.stop();
    if (code !== 0) throw new Error(`helm upgrade failed: ${await new Response(upgrade.stderr).text()}`);
    log(
      `helm upgrade rolled the release in ${Math.round((Date.now() - started) / 1000)} s under ${load.requests()} requests (${load.rateLimited()} waited out a 429, ${load.replicaLag()} retried as a 503 "same Idempotency-Key" asks), ${load.failures.length} failed`,
    );
    expect(load.failures).toEqual([]);
    expect(load.requests()).toBeGreaterThan(50);
    // The old pods may still be draining (preStop, SHUTDOWN_DRAIN_MS) when helm --wait returns.
    const bookingPodsAfter = podsOf("booking")
      .filter((pod) => !pod.metadata.deletionTimestamp)
      .map((pod) => pod.metadata.uid);
    expect(bookingPodsAfter.filter((uid) => bookingPodsBefore.has(uid))).toEqual([]);
    const revisions = JSON.parse(helm(["history", release.name, "--output", "json"])) as { status: string }[];
    expect(revisions.length).toBe(revisionBefore + 1);
    expect(revisions.at(-1)!.status).toBe("deployed");
    expect(kubectlJson<{ data: Record<string, string> }>(["get", "configmap", `${release.name}-config`]).data.LOG_LEVEL).toBe("info");
  });
});
