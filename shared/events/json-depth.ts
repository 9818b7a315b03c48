/**
 * EventBridge processes JSON nested up to 1,000 levels deep; deeper JSON is refused at the door.
 * Recursive code (JSON.stringify, structuredClone, schema parsers) overflows the call stack a few
 * thousand levels down, so nothing deeper than this limit may ever be accepted.
 */
export const MAX_JSON_DEPTH = 1000;

/**
 * How deeply a parsed JSON value nests (a scalar is 0, `{}` and `[]` are 1). Iterative, so any
 * depth is measured safely; stops counting once `limit` is passed.
 */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== "object" || node === null) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) {
      if (typeof child === "object" && child !== null) stack.push([child, level]);
    }
  }
  return deepest;
}

/** Whether a value nests deeper than EventBridge processes. */
export const tooDeep = (value: unknown): boolean =>
  jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH;
