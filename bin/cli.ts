/** The operator CLI: `npm run --silent cli -- <command>` (see bin/cli/main.ts for the commands). */
import "../local/quiet-sdk.js";
import { runCli } from "./cli/main.js";

const code = await runCli(process.argv.slice(2), {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});
process.exitCode = code;
