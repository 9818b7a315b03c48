/**
 * Ctrl-C handling for `npm start`. One Ctrl-C often arrives twice: the terminal signals the whole
 * foreground process group, and npm and tsx relay the signal as well. A repeat within
 * `repeatWindowMs` of the first is that same keypress and is ignored; a signal after it forces
 * the exit (130, as a shell reports Ctrl-C) for someone who does not want to wait.
 */
export type ShutdownOptions = {
  stop: () => Promise<void>;
  log: (line: string) => void;
  exit: (code: number) => void;
  now?: () => number;
  repeatWindowMs?: number;
};

export function signalHandler(options: ShutdownOptions): (signal: string) => void {
  const now = options.now ?? Date.now;
  const window = options.repeatWindowMs ?? 1500;
  let stoppingSince: number | null = null;
  return (signal) => {
    if (stoppingSince !== null) {
      if (now() - stoppingSince < window) return;
      options.log("forced exit");
      options.exit(130);
      return;
    }
    stoppingSince = now();
    options.log(`${signal}: stopping...`);
    options.stop().then(
      () => {
        options.log("stopped");
        options.exit(0);
      },
      (error: unknown) => {
        options.log(`error while stopping: ${error instanceof Error ? error.message : error}`);
        options.exit(1);
      },
    );
  };
}
