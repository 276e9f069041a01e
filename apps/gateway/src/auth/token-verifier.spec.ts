import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ConfigError } from '@mai/config';
import { InvalidTokenError, TokenKeysUnavailableError, TokenVerifier, tokenKeySettings } from './token-verifier';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes!!';
const expected = { issuer: 'mai-usage', audience: 'mai-dashboard' };
const now = () => Math.floor(Date.now() / 1000);

function token(claims: Record<string, unknown> = {}, options: { secret?: string; exp?: number | null; iss?: string | null; aud?: string | null; sub?: string | null } = {}) {
  let jwt = new SignJWT({ org: 'acme', role: 'admin', ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt();
  if (options.sub !== null) jwt = jwt.setSubject(options.sub ?? 'alice');
  if (options.iss !== null) jwt = jwt.setIssuer(options.iss ?? expected.issuer);
  if (options.aud !== null) jwt = jwt.setAudience(options.aud ?? expected.audience);
  if (options.exp !== null) jwt = jwt.setExpirationTime(options.exp ?? now() + 3600);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

const unsigned = (payload: object, header: object = { alg: 'none', typ: 'JWT' }) =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;

describe('TokenVerifier (HS256)', () => {
  const verifier = new TokenVerifier({ kind: 'secret', secret: SECRET }, expected);

  it('accepts a valid token and reads the viewer from its claims', async () => {
    const exp = now() + 600;
    await expect(verifier.verify(await token({}, { exp }))).resolves.toEqual({ userId: 'alice', orgId: 'acme', role: 'admin', expiresAt: new Date(exp * 1000) });
  });

  it('gives a token without a role the member view', async () => {
    await expect(verifier.verify(await token({ role: undefined }))).resolves.toMatchObject({ role: 'member' });
  });

  it('tolerates 30 s of clock skew, not more', async () => {
    await expect(verifier.verify(await token({}, { exp: now() - 20 }))).resolves.toMatchObject({ orgId: 'acme' });
    await expect(verifier.verify(await token({}, { exp: now() - 60 }))).rejects.toThrow(new InvalidTokenError('the token has expired'));
  });

  it.each<[string, () => Promise<string>, RegExp]>([
    ['signed with another key', () => token({}, { secret: 'another-secret-that-is-at-least-32-bytes' }), /signature does not verify/],
    ['alg: none', async () => unsigned({ sub: 'alice', org: 'acme', role: 'admin', iss: expected.issuer, aud: expected.audience, exp: now() + 60 }), /malformed|algorithm/],
    ['alg: none with a forged signature part', async () => `${unsigned({ sub: 'a', org: 'acme', exp: now() + 60 }, { alg: 'none' })}c2ln`, /malformed|algorithm/],
    ['expired', () => token({}, { exp: now() - 3600 }), /expired/],
    ['without exp', () => token({}, { exp: null }), /"exp" claim/],
    ['for another audience', () => token({}, { aud: 'someone-else' }), /"aud" claim/],
    ['without audience', () => token({}, { aud: null }), /"aud" claim/],
    ['from another issuer', () => token({}, { iss: 'evil' }), /"iss" claim/],
    ['without issuer', () => token({}, { iss: null }), /"iss" claim/],
    ['without org', () => token({ org: undefined }), /"org" claim/],
    ['with an org that is not an org id', () => token({ org: '../other' }), /"org" claim/],
    ['with a list of orgs', () => token({ org: ['acme', 'other'] }), /"org" claim/],
    ['without sub', () => token({}, { sub: null }), /"sub" claim/],
    ['with an unknown role', () => token({ role: 'owner' }), /"role" claim/],
    ['not yet valid', () => token({ nbf: now() + 3600 }), /"nbf" claim/],
    ['garbage', async () => 'not.a.jwt', /malformed/],
    ['huge', async () => 'a'.repeat(10_000), /too long/],
  ])('refuses a token %s', async (_case, make, reason) => {
    const attempt = verifier.verify(await make());
    await expect(attempt).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(attempt).rejects.toThrow(reason);
  });

  it('refuses an RS256 token even when its key is the HS256 secret (algorithm pinned)', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const rs = await new SignJWT({ org: 'acme' }).setProtectedHeader({ alg: 'RS256' }).setSubject('a').setIssuer(expected.issuer).setAudience(expected.audience).setExpirationTime('1h').sign(privateKey);
    await expect(verifier.verify(rs)).rejects.toThrow(/accepted algorithm/);
  });
});

describe('TokenVerifier: verified tokens remembered', () => {
  afterEach(() => jest.useRealTimers());

  it('answers a repeated token without verifying it again, but never past its exp', async () => {
    const start = Date.now();
    let clock = start;
    const verifier = new TokenVerifier({ kind: 'secret', secret: SECRET }, expected, () => clock);
    const jwt = await token({}, { exp: Math.floor(start / 1000) + 60 });
    const first = await verifier.verify(jwt);
    expect(await verifier.verify(jwt)).toBe(first); // the remembered viewer

    // 100 s later the token is past exp and the 30 s tolerance: jose must be asked again, and refuse it.
    jest.useFakeTimers({ now: start + 100_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    clock = start + 100_000;
    await expect(verifier.verify(jwt)).rejects.toThrow(new InvalidTokenError('the token has expired'));
  });

  it('remembers nothing about a token that failed, nor about a different signature', async () => {
    const verifier = new TokenVerifier({ kind: 'secret', secret: SECRET }, expected);
    const good = await token();
    await verifier.verify(good);
    const forged = `${good.slice(0, good.lastIndexOf('.'))}.${Buffer.from('not the signature').toString('base64url')}`;
    await expect(verifier.verify(forged)).rejects.toThrow(InvalidTokenError);
    await expect(verifier.verify(await token({}, { secret: 'another-secret-that-is-at-least-32-bytes' }))).rejects.toThrow(InvalidTokenError);
  });
});

describe('TokenVerifier (JWKS)', () => {
  let server: Server;
  let jwksUrl: string;
  type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let keys: { privateKey: PrivateKey; publicJwk: object };
  let available = true;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    keys = { privateKey: pair.privateKey, publicJwk: { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' } };
    server = createServer((_request, response) => {
      if (!available) return void response.writeHead(500).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [keys.publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const es256 = (claims: Record<string, unknown> = {}) =>
    new SignJWT({ org: 'acme', role: 'member', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('bob')
      .setIssuer(expected.issuer)
      .setAudience(expected.audience)
      .setExpirationTime('10m')
      .sign(keys.privateKey);

  it('verifies ES256 tokens against the published key set', async () => {
    const verifier = new TokenVerifier({ kind: 'jwks', url: jwksUrl, algorithm: 'ES256' }, expected);
    await expect(verifier.verify(await es256())).resolves.toMatchObject({ userId: 'bob', orgId: 'acme', role: 'member' });
  });

  it('refuses an HS256 token in JWKS mode, and an ES256 token when RS256 is pinned', async () => {
    const verifier = new TokenVerifier({ kind: 'jwks', url: jwksUrl, algorithm: 'ES256' }, expected);
    await expect(verifier.verify(await token())).rejects.toThrow(/accepted algorithm/);
    const rsOnly = new TokenVerifier({ kind: 'jwks', url: jwksUrl, algorithm: 'RS256' }, expected);
    await expect(rsOnly.verify(await es256())).rejects.toThrow(/accepted algorithm/);
  });

  it('says the keys are unavailable, not that the token is bad, when the key set cannot be fetched', async () => {
    available = false;
    try {
      const verifier = new TokenVerifier({ kind: 'jwks', url: jwksUrl, algorithm: 'ES256' }, expected);
      await expect(verifier.verify(await es256())).rejects.toBeInstanceOf(TokenKeysUnavailableError);
    } finally {
      available = true;
    }
  });
});

describe('tokenKeySettings', () => {
  const jwt = { issuer: 'i', audience: 'a' };

  it('uses the secret, or the JWKS URL (RS256 unless JWT_ALGORITHM says ES256)', () => {
    expect(tokenKeySettings({ jwt: { ...jwt, secret: SECRET } }, {})).toEqual({ kind: 'secret', secret: SECRET });
    expect(tokenKeySettings({ jwt: { ...jwt, jwksUrl: 'https://id.example/jwks' } }, {})).toEqual({ kind: 'jwks', url: 'https://id.example/jwks', algorithm: 'RS256' });
    expect(tokenKeySettings({ jwt: { ...jwt, secret: SECRET, jwksUrl: 'https://id.example/jwks' } }, { JWT_ALGORITHM: 'ES256' })).toMatchObject({ kind: 'jwks', algorithm: 'ES256' });
  });

  it('stops start-up without any key, with an unknown algorithm, or with a bad URL', () => {
    expect(() => tokenKeySettings({ jwt }, {})).toThrow(ConfigError);
    expect(() => tokenKeySettings({ jwt: { ...jwt, jwksUrl: 'https://id.example/jwks' } }, { JWT_ALGORITHM: 'HS256' })).toThrow(/RS256 or ES256/);
    expect(() => tokenKeySettings({ jwt: { ...jwt, jwksUrl: 'not a url' } }, {})).toThrow(/must be a URL/);
    expect(() => tokenKeySettings({ jwt: { ...jwt, jwksUrl: 'file:///etc/keys' } }, {})).toThrow(/http or https/);
  });
});
