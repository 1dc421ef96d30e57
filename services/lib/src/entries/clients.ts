/**
 * Clients of the real parts: Redis (Sentinel), PostgreSQL, Kafka, SMTP, the lock servers, Lua
 * scripts, leadership, and the consumer loops built on them.
 */
export * from "../clients/durable-scripts";
export * from "../clients/event-consumer";
export * from "../clients/kafka";
export * from "../clients/kafka-lag";
export * from "../clients/leadership";
export * from "../clients/locks";
export * from "../clients/lua-scripts";
export * from "../clients/postgres";
export * from "../clients/process-leadership";
export * from "../clients/rate-limit-script";
export * from "../clients/redis";
export * from "../clients/redis-memory";
export * from "../clients/replica-target";
export * from "../clients/smtp";
export * from "../clients/supervised-consumer";
export * from "../clients/worker-consumer";
