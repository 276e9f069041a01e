// Maps anything thrown in a route to the error envelope. A stream already under way (SSE) is just closed.
import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { createLogger } from '@mai/platform';
import { errorAnswer } from './error-answer';

@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly log = createLogger('gateway').child({ component: 'errors' });

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const answer = errorAnswer(exception);
    if (answer.unexpected) this.log.error({ err: exception }, 'request failed unexpectedly');
    else if (answer.status >= 500) this.log.warn({ status: answer.status, reason: (exception as Error)?.message }, answer.body.error);
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    void reply.status(answer.status).headers(answer.headers).type('application/json; charset=utf-8').send(answer.body);
  }
}
