export * from "./bounds.js";
export * from "./matching.js";
export * from "./originals.js";
export * from "./state.js";
export * from "./time.js";
export * from "./view.js";
export * from "./view-types.js";
