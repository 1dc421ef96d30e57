/** Application errors and the response envelope. */
export * from "../envelope";
export * from "../errors";
