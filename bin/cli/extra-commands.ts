/** Commands kept in their own files, registered here one line each; main.ts dispatches them. */
import { type CliCommand, inviteCommand, reconcileCommand } from "./partner-center.js";

export type { CliCommand };

export const EXTRA_COMMANDS: readonly CliCommand[] = [inviteCommand, reconcileCommand];
