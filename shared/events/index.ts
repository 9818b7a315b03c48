export * from "./details.js";
export * from "./envelope.js";
export * from "./partner-center.js";
export * from "./registry.js";
export * from "./tenant.js";
