import { decodeClaims, isExpired, looksLikeJwt, takeTokenFromHash, tokenFromMessage } from './token';

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (payload: unknown) => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}.c2lnbmF0dXJl`;

describe('decodeClaims', () => {
  it('reads org, user, role and expiry from the payload', () => {
    expect(decodeClaims(jwt({ sub: 'alice', org: 'acme', role: 'admin', exp: 1_800_000_000 }))).toEqual({
      org: 'acme',
      sub: 'alice',
      role: 'admin',
      exp: 1_800_000_000,
    });
  });

  it('decodes non-ASCII user names', () => {
    expect(decodeClaims(jwt({ sub: 'Zażółć', org: 'acme' }))?.sub).toBe('Zażółć');
  });

  it('ignores an unknown role', () => {
    expect(decodeClaims(jwt({ org: 'acme', role: 'owner' }))?.role).toBeNull();
  });

  it('returns null for something that is not a JWT', () => {
    expect(decodeClaims('nope')).toBeNull();
    expect(decodeClaims('a.b.c')).toBeNull();
  });
});

describe('isExpired', () => {
  it('compares exp (seconds) with now (milliseconds)', () => {
    expect(isExpired({ org: 'a', sub: null, role: null, exp: 100 }, 100_001)).toBe(true);
    expect(isExpired({ org: 'a', sub: null, role: null, exp: 100 }, 99_000)).toBe(false);
    expect(isExpired({ org: 'a', sub: null, role: null, exp: null }, Date.now())).toBe(false);
  });
});

describe('takeTokenFromHash', () => {
  it('takes the token and leaves an empty fragment', () => {
    expect(takeTokenFromHash('#token=abc.def.ghi')).toEqual({ token: 'abc.def.ghi', rest: '' });
  });

  it('keeps other fragment parameters', () => {
    expect(takeTokenFromHash('#tab=models&token=abc.def.ghi')).toEqual({ token: 'abc.def.ghi', rest: '#tab=models' });
  });

  it('leaves a fragment without a token alone', () => {
    expect(takeTokenFromHash('#main')).toEqual({ token: null, rest: '#main' });
    expect(takeTokenFromHash('')).toEqual({ token: null, rest: '' });
  });
});

describe('tokenFromMessage', () => {
  it('accepts the host application’s message', () => {
    expect(tokenFromMessage({ type: 'mai-usage-token', token: ' abc.def.ghi ' })).toBe('abc.def.ghi');
  });

  it('ignores every other message', () => {
    expect(tokenFromMessage({ type: 'other', token: 'abc' })).toBeNull();
    expect(tokenFromMessage({ type: 'mai-usage-token', token: 42 })).toBeNull();
    expect(tokenFromMessage('mai-usage-token')).toBeNull();
    expect(tokenFromMessage(null)).toBeNull();
  });
});

describe('looksLikeJwt', () => {
  it('checks the three-part shape', () => {
    expect(looksLikeJwt(jwt({ org: 'acme' }))).toBe(true);
    expect(looksLikeJwt('not a token')).toBe(false);
  });
});
