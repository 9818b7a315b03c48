export * from "./details.js";
export * from "./envelope.js";
export * from "./registry.js";
