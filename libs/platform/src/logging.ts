// Structured JSON logs (pino) for code outside a request: consumer loops, start-up, the CLI.
import pino, { Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(service: string, level = process.env.LOG_LEVEL || 'info'): Logger {
  return pino({ name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
