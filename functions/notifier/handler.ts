import {
  createNotifierHandler,
  notifierDependencies,
} from "../../shared/reminders/notifier-handler.js";

/** Lambda entry point for "Reminder Digest Ready": emails the partner one digest. */
export const handler = createNotifierHandler(notifierDependencies());
