/**
 * The read side: one implementation of `show`, `list` and `due` (and the calendar feed's
 * expiries) that the CLI, the web pages, the JSON API and the calendar feed all call. It reads
 * through the store's public read API and the reminders' due listing only, so their storage
 * layout can change underneath.
 */
export {
  type DueOptions,
  type DueOriginal,
  dueOriginals,
  type ExpiryRow,
  partnerExpiries,
} from "./due.js";
export {
  DEFAULT_DUE_WITHIN_DAYS,
  MAX_DUE_WITHIN_DAYS,
  parseNow,
  parsePartner,
  parseStatus,
  parseWithin,
  QueryInputError,
} from "./inputs.js";
export type { ReadSource } from "./source.js";
export {
  IndexNotReadyError,
  type ListFilter,
  listTransfers,
  partnersOf,
  showTransfer,
  type TransferJson,
  type TransferSummary,
  transferJson,
} from "./transfers.js";
