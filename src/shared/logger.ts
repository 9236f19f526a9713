const LEVELS = { silent: 0, error: 1, warn: 2, info: 3 } as const;
export type LogLevel = keyof typeof LEVELS;

type Log = (message: string, fields?: Record<string, unknown>) => void;

export type Logger = { error: Log; warn: Log; info: Log };

/** One JSON line per event on stderr (errors) or stdout (the rest). Never pass secrets in `fields`. */
export function createLogger(level: LogLevel): Logger {
  const threshold = LEVELS[level];
  const write = (name: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[name] > threshold) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level: name, message, ...fields });
    (name === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return {
    error: (message, fields) => write('error', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    info: (message, fields) => write('info', message, fields),
  };
}
