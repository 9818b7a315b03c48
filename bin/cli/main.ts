/** Argument parsing and dispatch of `npm run --silent cli -- <command>`. */
import { parseArgs } from "node:util";
import { IsoDateTime } from "../../shared/events/primitives.js";
import { parseWithin } from "../../shared/queries/index.js";
import { calendarUrlFor } from "./calendar-url.js";
import * as commands from "./commands.js";
import { CliError, describeError } from "./errors.js";
import { EXTRA_COMMANDS } from "./extra-commands.js";
import { printable, printableJson } from "./format.js";
import { migrateTable } from "./migrate-table.js";
import { renderDeadLetters, renderDue, renderEmit, renderList, renderView } from "./render.js";
import { resolveTarget, type Target } from "./target.js";

export const USAGE = `usage: npm run --silent cli -- <command> [options]

commands:
  show --partner P --customer C     a transfer's view
  list [--status S] [--partner P]   transfer summaries
  due [--within DAYS] [--now ISO]   originals expiring within DAYS (default 60), soonest first
  scan [--now ISO]                  run the expiry scan once with that clock
  emit FILE|-                       put events from a JSON file (one entry or an array)
  dlq list                          dead letters
  dlq redrive                       put dead letters back on the bus
  calendar-url --partner P          the partner's calendar feed URL (with its token)
  migrate-table                     give items written before the read-side indexes their
                                    index keys (once, when migrating a deployed table)
${EXTRA_COMMANDS.map((c) => `  ${c.summary}`).join("\n")}

options:
  --json                  machine-readable output
  --stack NAME --region R target a deployed stack (default: the local runtime of npm start)`;

type Io = { out: (text: string) => void; err: (text: string) => void };

/** Which flags each command accepts (besides --json, --stack, --region). */
const COMMAND_FLAGS: Record<string, string[]> = {
  show: ["partner", "customer"],
  list: ["status", "partner"],
  due: ["within", "now"],
  scan: ["now"],
  emit: [],
  "dlq list": [],
  "dlq redrive": [],
  "calendar-url": ["partner"],
  "migrate-table": [],
};

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        partner: { type: "string" },
        customer: { type: "string" },
        status: { type: "string" },
        within: { type: "string" },
        now: { type: "string" },
        stack: { type: "string" },
        region: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new CliError(parseProblem(error as Error & { code?: string }), 2);
  }
}

/** node:util's parse errors in one short line ("unknown option --bogus"). */
function parseProblem(error: Error & { code?: string }): string {
  const option = /'(-[^' ]*)/.exec(error.message)?.[1];
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) return `unknown option ${option}`;
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    return `${option} needs a value`;
  }
  return error.message.split(". ")[0] ?? error.message;
}

const DLQ_USAGE = `usage: npm run --silent cli -- dlq <subcommand>

subcommands:
  dlq list       dead letters
  dlq redrive    put dead letters back on the bus`;

function isoNow(value: string | undefined): string {
  if (value === undefined) return new Date().toISOString();
  if (!IsoDateTime.safeParse(value).success) {
    throw new CliError(`--now must be an ISO 8601 date or date-time, got "${value}"`, 2);
  }
  return value;
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  const extra = EXTRA_COMMANDS.find((c) => c.name === argv[0]);
  if (extra) return extra.run(argv.slice(1), io);
  let target: Target | undefined;
  try {
    const { values, positionals } = parse(argv);
    const [first, second, ...rest] = positionals;
    if (first === "dlq" && second === undefined) {
      io.out(DLQ_USAGE);
      return 0;
    }
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (first === undefined) throw new CliError("no command given", 2);
    const command = first === "dlq" ? `dlq ${second ?? ""}`.trim() : (first ?? "");
    const args = first === "dlq" ? rest : [second, ...rest].filter((a) => a !== undefined);
    const allowed = COMMAND_FLAGS[command];
    if (!allowed) throw new CliError(`unknown command "${command}"`, 2);
    for (const flag of ["partner", "customer", "status", "within", "now"] as const) {
      if (values[flag] !== undefined && !allowed.includes(flag)) {
        throw new CliError(`${command} does not take --${flag}`, 2);
      }
    }
    if (command !== "emit" && args.length > 0) {
      throw new CliError(`${command}: unexpected argument "${args[0]}"`, 2);
    }
    target = await resolveTarget({ stack: values.stack, region: values.region });
    const json = values.json;
    const print = (data: unknown, human: () => string) =>
      io.out(json ? printableJson(data) : human());

    switch (command) {
      case "show": {
        if (!values.partner || !values.customer) {
          throw new CliError("show needs --partner P and --customer C", 2);
        }
        const view = await commands.show(target, values.partner, values.customer);
        print(commands.showJson(view), () => renderView(view));
        return 0;
      }
      case "list": {
        const rows = await commands.list(target, {
          status: values.status,
          partnerId: values.partner,
        });
        print(rows, () => renderList(rows));
        return 0;
      }
      case "due": {
        const rows = await commands.due(target, values.within, values.now);
        print(rows, () => renderDue(rows, parseWithin(values.within)));
        return 0;
      }
      case "scan": {
        const result = await commands.scan(
          target,
          values.now === undefined ? undefined : isoNow(values.now),
        );
        print(
          result,
          () =>
            `due: ${result.due}, emitted: ${result.emitted}, already reminded: ${result.alreadyReminded}, skipped: ${result.skipped}`,
        );
        return 0;
      }
      case "emit": {
        const file = args[0];
        if (file === undefined || args.length > 1) {
          throw new CliError("emit needs exactly one FILE (or - for stdin)", 2);
        }
        const results = await commands.emit(target, commands.readEventFile(file));
        print(results, () => renderEmit(results));
        const failed = results.filter((r) => "errorCode" in r).length;
        if (failed > 0) {
          io.err(`error: ${failed} of ${results.length} event(s) were rejected`);
          return 1;
        }
        return 0;
      }
      case "dlq list": {
        const rows = await commands.dlqList(target);
        print(rows, () => renderDeadLetters(rows));
        return 0;
      }
      case "dlq redrive": {
        const result = await commands.dlqRedrive(target);
        print(result, () => `redriven: ${result.redriven}, failed: ${result.failed}`);
        return result.failed > 0 ? 1 : 0;
      }
      case "calendar-url": {
        if (!values.partner) throw new CliError("calendar-url needs --partner P", 2);
        const result = await calendarUrlFor(values.partner, values);
        print(result, () => result.url);
        return 0;
      }
      case "migrate-table": {
        const result = await migrateTable(target, io.err);
        print(result, () => `items read: ${result.scanned}, given index keys: ${result.updated}`);
        return 0;
      }
      default:
        throw new CliError(`unknown command "${command}"`, 2);
    }
  } catch (error) {
    const usage = error instanceof CliError && error.exitCode === 2;
    const message = describeError(error, target?.description ?? "the target");
    io.err(printable(`error: ${message}${usage ? " (see --help)" : ""}`));
    return error instanceof CliError ? error.exitCode : 1;
  } finally {
    target?.dynamo.destroy();
    target?.events.destroy();
    target?.sqs.destroy();
    target?.scanFunction?.lambda.destroy();
  }
}
