/**
 * Structured JSON logs, one line per call on stdout: the fields Powertools Logger wrote (`level`, `message`,
 * `service`, `timestamp`, `xray_trace_id`, then the appended keys and the call's attributes), so the log
 * metric filters (`$.message`, `$.error`) and Logs Insights queries read them unchanged. It replaces Powertools
 * Logger in the functions: the few calls made here did not need its ~20 KB (minified) and its share of every
 * cold start (issue 15, about a tenth of the client-only reference's import).
 *
 * Written with `process.stdout.write`, not `console`, so the Lambda runtime adds no text prefix to a JSON line.
 * The threshold is `POWERTOOLS_LOG_LEVEL` (else `AWS_LAMBDA_LOG_LEVEL`, else INFO), read at each call; `SILENT`
 * writes nothing.
 */

const levels = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export type LogAttributes = Readonly<Record<string, unknown>>;

/** An error as Powertools logged it: name, message, the first stack frame as location, the stack. */
export function errorAttributes(error: Error): Record<string, unknown> {
  const location = error.stack
    ?.split('\n')
    .find((line) => line.trimStart().startsWith('at '))
    ?.trim()
    .replace(/^at /, '');
  return {
    name: error.name,
    location: location ?? '',
    message: error.message,
    stack: error.stack,
    ...(error.cause instanceof Error ? { cause: errorAttributes(error.cause) } : {}),
  };
}

function threshold(): number {
  const name = (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.AWS_LAMBDA_LOG_LEVEL ?? 'INFO').toUpperCase();
  return levels[name as keyof typeof levels] ?? levels.INFO;
}

export class Logger {
  private keys: Record<string, unknown> = {};

  constructor(private readonly options: { readonly serviceName: string }) {}

  /** Keys added to every following line until {@link resetKeys}. */
  appendKeys(keys: LogAttributes): void {
    Object.assign(this.keys, keys);
  }

  resetKeys(): void {
    this.keys = {};
  }

  debug(message: string, attributes?: LogAttributes): void {
    this.write('DEBUG', message, attributes);
  }

  info(message: string, attributes?: LogAttributes): void {
    this.write('INFO', message, attributes);
  }

  warn(message: string, attributes?: LogAttributes): void {
    this.write('WARN', message, attributes);
  }

  /** An `Error` is logged under `error` as {@link errorAttributes}; other attributes as they are. */
  error(message: string, error?: Error | LogAttributes): void {
    this.write('ERROR', message, error instanceof Error ? { error: errorAttributes(error) } : error);
  }

  private write(level: Level, message: string, attributes?: LogAttributes): void {
    if (levels[level] < threshold()) return;
    const trace = process.env._X_AMZN_TRACE_ID?.match(/Root=([^;]+)/)?.[1];
    const line = {
      level,
      message,
      service: this.options.serviceName,
      timestamp: new Date().toISOString(),
      ...(trace ? { xray_trace_id: trace } : {}),
      ...this.keys,
      ...attributes,
    };
    let text: string;
    try {
      text = JSON.stringify(line);
    } catch {
      // A circular or otherwise unserializable attribute must not lose the line.
      text = JSON.stringify({ level, message, service: this.options.serviceName, timestamp: line.timestamp });
    }
    process.stdout.write(`${text}\n`);
  }
}
