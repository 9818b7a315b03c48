/**
 * `npm run check:permissions [-- --json]`: the permission rehearsal (SPEC section 7). Exits
 * non-zero when any AWS call the code makes is not allowed by the stack's own policies.
 */
import { rehearse } from "./rehearsal/rehearse.js";

const json = process.argv.includes("--json");
const started = Date.now();
const report = await rehearse(json ? () => {} : (line) => console.error(line));
if (json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  for (const call of report.calls) {
    const mark = call.decision === "Allowed" ? "allowed" : call.decision.toUpperCase();
    const context = Object.keys(call.context).length ? ` ${JSON.stringify(call.context)}` : "";
    console.log(
      `${mark.padEnd(17)} ${call.principal.padEnd(28)} ${call.action} ${call.resource}${context}`,
    );
  }
  console.log(
    `${report.callsChecked} distinct calls of ${report.principals.length} principals checked, ${report.denied} denied (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}
process.exit(report.denied === 0 ? 0 : 1);
