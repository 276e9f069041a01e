// An HTTP error that tells the caller when to come back (429 and 503 answers carry Retry-After).
import { HttpException } from '@nestjs/common';

export class RetryLaterException extends HttpException {
  constructor(
    message: string,
    status: number,
    readonly retryAfterSeconds: number,
  ) {
    super(message, status);
  }
}
