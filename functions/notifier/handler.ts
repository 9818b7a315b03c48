import { createNotifierHandler, notifierDependencies } from "../../shared/reminders/notifier.js";

/** Lambda entry point for "Expiry Approaching": emails the partner once per reminder. */
export const handler = createNotifierHandler(notifierDependencies());
