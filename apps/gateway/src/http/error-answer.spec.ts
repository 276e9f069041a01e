import { BadRequestException, ForbiddenException, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { PricingUnavailableError } from '@mai/platform';
import { RateLimitedException } from '../rate-limit/viewer-throttler.guard';
import { errorAnswer, isDatabaseUnavailable } from './error-answer';

describe('errorAnswer', () => {
  it('keeps the envelope and the status of HTTP errors', () => {
    expect(errorAnswer(new BadRequestException('start must be a date'))).toMatchObject({
      status: 400,
      body: { success: false, error: 'start must be a date', status: 400 },
      unexpected: false,
    });
    expect(errorAnswer(new ForbiddenException('no such org')).status).toBe(403);
    expect(errorAnswer(new NotFoundException()).body.error).toBe('Not Found');
  });

  it('asks for a bearer token on 401', () => {
    expect(errorAnswer(new UnauthorizedException('the token has expired'))).toMatchObject({
      status: 401,
      body: { error: 'the token has expired' },
      headers: { 'WWW-Authenticate': expect.stringMatching(/^Bearer /) },
    });
  });

  it('lists validation messages as details', () => {
    expect(errorAnswer(new BadRequestException(['start must be a single YYYY-MM-DD date', 'end must be …'])).body).toEqual({
      success: false,
      error: 'invalid request: start must be a single YYYY-MM-DD date',
      status: 400,
      details: ['start must be a single YYYY-MM-DD date', 'end must be …'],
    });
  });

  it('answers 429 with Retry-After', () => {
    expect(errorAnswer(new RateLimitedException(42))).toMatchObject({ status: 429, headers: { 'Retry-After': '42' }, body: { error: expect.stringMatching(/100 a minute/) } });
  });

  it('answers 503 with Retry-After when Postgres or pricing-fx is away', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(errorAnswer(refused)).toMatchObject({ status: 503, headers: { 'Retry-After': '5' }, body: { error: expect.stringMatching(/database/) } });
    expect(errorAnswer(new PricingUnavailableError('timeout'))).toMatchObject({ status: 503, body: { error: expect.stringMatching(/catalog/) } });
  });

  it('hides anything unexpected behind a bare 500', () => {
    const answer = errorAnswer(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(answer).toMatchObject({ status: 500, body: { success: false, error: 'internal error', status: 500 }, unexpected: true });
    expect(JSON.stringify(answer.body)).not.toMatch(/reading|at /);
  });
});

describe('isDatabaseUnavailable', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, true],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }, true],
    [{ code: '08006' }, true],
    [{ code: '53300' }, true],
    [new Error('Connection terminated unexpectedly'), true],
    [new Error('timeout exceeded when trying to connect'), true],
    [{ code: '42P01', message: 'relation "x" does not exist' }, false],
    [{ code: '22007', message: 'invalid input syntax for type date' }, false],
    [new Error('boom'), false],
    ['text', false],
    [null, false],
  ])('%p → %p', (error, expected) => {
    expect(isDatabaseUnavailable(error)).toBe(expected);
  });
});
