/** A process's life: start-up, graceful shutdown, worker loops. */
export * from "../process";
export * from "../shutdown";
export * from "../workers/worker-loop";
