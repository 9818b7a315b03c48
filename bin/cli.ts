/** The operator CLI: `npm run --silent cli -- <command>` (see bin/cli/main.ts for the commands). */
import { runCli } from "./cli/main.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const code = await runCli(process.argv.slice(2), {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});
process.exitCode = code;
