// Scenario 9: forged credentials are answered 401 and let nothing in. Webhooks: a bad HMAC, another org's or a
// random secret, a body, id or timestamp changed after signing, a signature replayed outside the ±5 minute
// window, malformed signature headers. OTLP: missing, wrong and another org's ingest tokens. Dashboard JWTs, on
// an HS256 gateway and on an RS256 gateway with a JWKS: alg none, HS256 signed with the RSA public key (the
// classic algorithm confusion), keys that are not the issuer's, wrong iss/aud, expired, nbf in the future,
// missing or malformed claims, tampered payloads. Valid credentials get through (the controls).
import { KeyObject, generateKeyPairSync } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CompactSign, JWK, SignJWT, exportJWK, exportSPKI } from 'jose';
import { IngestTokenStore } from '@mai/persistence';
import { Pipeline, ServiceProcess, TEST_JWT_SECRET, generation, signDelivery, startPipeline } from '@mai/testing';
import { otlpFixture } from '../apps/ingest/src/otlp/fixtures';
import { scenario } from './support/scenario';
import { API, AUDIENCE, ISSUER, call, freshUser, hs256Token } from './support/tokens';

const ORG = 'forge';
const OTHER = 'forge-other';

interface Attempt {
  readonly what: string;
  readonly status: number;
}

const b64url = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('faults: forged credentials', () => {
  let pipeline: Pipeline;
  let jwksGateway: ServiceProcess;
  let jwksServer: Server;
  let issuerKeys: { publicKey: KeyObject; privateKey: KeyObject };
  let publicJwk: JWK;

  beforeAll(async () => {
    // Node key objects rather than WebCrypto keys, which would refuse to sign the PS256 forgery below.
    issuerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    publicJwk = { ...(await exportJWK(issuerKeys.publicKey)), kid: 'issuer-key-1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] })));
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'gateway']);
    jwksGateway = await ServiceProcess.start('gateway', {
      ...pipeline.environment.env,
      JWT_JWKS_URL: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`,
      JWT_ALGORITHM: 'RS256',
    });
  });
  afterAll(async () => {
    await jwksGateway?.kill();
    await pipeline?.stop();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  scenario('9', 'forged credentials', async (row) => {
    const secret = await pipeline.createOrg(ORG);
    const otherSecret = await pipeline.createOrg(OTHER);
    const tokens = new IngestTokenStore(pipeline.environment.pool);
    const ingestToken = await tokens.issue(ORG);
    const otherIngestToken = await tokens.issue(OTHER);
    const attempts: Attempt[] = [];
    const messagesBefore = await pipeline.streamMessages();

    // --- Webhooks --------------------------------------------------------------------------------------
    const webhook = async (what: string, headers: Record<string, string>, body: string) => {
      const response = await fetch(`${pipeline.ingestUrl}/v1/webhooks/openrouter/${ORG}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      attempts.push({ what: `webhook: ${what}`, status: response.status });
    };
    const body = JSON.stringify(generation({ total_cost: '0.01' }));
    const good = signDelivery(secret, 'wh-forge', body);
    const signatureOnly = good.headers['webhook-signature'].slice(3);
    const randomSecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    await webhook('random HMAC', { ...good.headers, 'webhook-signature': `v1,${Buffer.alloc(32, 1).toString('base64')}` }, body);
    await webhook('signed with another org\'s secret', signDelivery(otherSecret, 'wh-forge', body).headers, body);
    await webhook('signed with a random secret', signDelivery(randomSecret, 'wh-forge', body).headers, body);
    await webhook('body changed after signing', good.headers, body.replace('0.01', '0.00'));
    await webhook('webhook-id changed after signing', { ...good.headers, 'webhook-id': 'wh-forge-2' }, body);
    await webhook('timestamp changed after signing', { ...good.headers, 'webhook-timestamp': String(Number(good.headers['webhook-timestamp']) + 1) }, body);
    await webhook('a signature replayed 6 minutes later', signDelivery(secret, 'wh-replayed', body, new Date(Date.now() - 6 * 60_000)).headers, body);
    await webhook('a signature from 6 minutes in the future', signDelivery(secret, 'wh-future', body, new Date(Date.now() + 6 * 60_000)).headers, body);
    await webhook('a signature replayed a day later', signDelivery(secret, 'wh-old', body, new Date(Date.now() - 86_400_000)).headers, body);
    await webhook('v2 scheme', { ...good.headers, 'webhook-signature': `v2,${signatureOnly}` }, body);
    await webhook('no scheme', { ...good.headers, 'webhook-signature': signatureOnly }, body);
    await webhook('truncated signature', { ...good.headers, 'webhook-signature': good.headers['webhook-signature'].slice(0, -4) }, body);
    await webhook('signature in upper case', { ...good.headers, 'webhook-signature': `v1,${signatureOnly.toUpperCase()}` }, body);
    await webhook('several wrong signatures', { ...good.headers, 'webhook-signature': `v1,${Buffer.alloc(32, 2).toString('base64')} v1,${Buffer.alloc(32, 3).toString('base64')} v1a,${signatureOnly}` }, body);
    await webhook('empty signature', { ...good.headers, 'webhook-signature': '' }, body);
    await webhook('no signature headers', {}, body);
    await webhook('timestamp not a number', { ...good.headers, 'webhook-timestamp': 'now' }, body);
    await webhook('negative timestamp', { ...good.headers, 'webhook-timestamp': '-1' }, body);

    // --- OTLP ingest tokens ------------------------------------------------------------------------------
    const otlp = async (what: string, authorization: string | undefined, orgId = ORG) => {
      const response = await fetch(`${pipeline.ingestUrl}/v1/otlp/${orgId}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
        body: JSON.stringify(otlpFixture('with-user', { at: new Date(Date.now() - 60_000), generationId: `otlp-forged-${attempts.length}` })),
      });
      attempts.push({ what: `otlp: ${what}`, status: response.status });
    };
    await otlp('no token', undefined);
    await otlp('empty bearer', 'Bearer ');
    await otlp('wrong token', `Bearer ${ingestToken.slice(0, -2)}xx`);
    await otlp('another org\'s token', `Bearer ${otherIngestToken}`);
    await otlp('this org\'s token on another org\'s path', `Bearer ${ingestToken}`, OTHER);
    await otlp('token as Basic credentials', `Basic ${ingestToken}`);
    await otlp('the webhook secret as token', `Bearer ${secret}`);

    // --- Dashboard JWTs ----------------------------------------------------------------------------------
    const hsGateway = pipeline.services.gateway!.url;
    const jwt = async (what: string, gateway: string, token: string) => {
      const answer = await call(gateway, `${API}/usage-by-model`, token);
      attempts.push({ what: `jwt (${gateway === hsGateway ? 'HS256' : 'JWKS'}): ${what}`, status: answer.status });
    };
    const now = Math.floor(Date.now() / 1000);
    const claims = (extra: Record<string, unknown> = {}) => ({ sub: freshUser('forger'), org: ORG, role: 'admin', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600, ...extra });
    const unsigned = (header: object, payload: object) => `${b64url(header)}.${b64url(payload)}.`;
    const hmac = (payload: object, key: Uint8Array | string, alg = 'HS256') =>
      new SignJWT(payload as never).setProtectedHeader({ alg, typ: 'JWT' }).sign(typeof key === 'string' ? new TextEncoder().encode(key) : key);
    const rs256 = (payload: object, key = issuerKeys.privateKey, header: Record<string, unknown> = { kid: 'issuer-key-1' }, alg = 'RS256') =>
      new SignJWT(payload as never).setProtectedHeader({ alg, typ: 'JWT', ...header }).sign(key);
    const withoutClaim = (name: string) => {
      const payload: Record<string, unknown> = claims();
      delete payload[name];
      return payload;
    };
    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = await exportSPKI(issuerKeys.publicKey);

    for (const [gateway, valid] of [
      [hsGateway, (payload: object) => hmac(payload, TEST_JWT_SECRET)],
      [jwksGateway.url, (payload: object) => rs256(payload)],
    ] as const) {
      await jwt('alg none', gateway, unsigned({ alg: 'none', typ: 'JWT' }, claims()));
      await jwt('alg None, signature kept', gateway, `${unsigned({ alg: 'None', typ: 'JWT' }, claims())}${(await valid(claims())).split('.')[2]}`);
      await jwt('expired 2 minutes ago', gateway, await valid(claims({ exp: now - 120 })));
      await jwt('nbf 2 minutes ahead', gateway, await valid(claims({ nbf: now + 120 })));
      await jwt('wrong issuer', gateway, await valid(claims({ iss: 'someone-else' })));
      await jwt('wrong audience', gateway, await valid(claims({ aud: 'another-app' })));
      await jwt('no org', gateway, await valid(withoutClaim('org')));
      await jwt('org not a string', gateway, await valid(claims({ org: [ORG, OTHER] })));
      await jwt('org that is not an org id', gateway, await valid(claims({ org: '../forge' })));
      await jwt('no sub', gateway, await valid(withoutClaim('sub')));
      await jwt('no exp', gateway, await valid(withoutClaim('exp')));
      await jwt('unknown role', gateway, await valid(claims({ role: 'superadmin' })));
      const genuine = await valid(claims());
      const [header, , signature] = genuine.split('.');
      await jwt('payload swapped under a valid signature', gateway, `${header}.${b64url(claims({ org: OTHER }))}.${signature}`);
      await jwt('signature stripped', gateway, `${header}.${genuine.split('.')[1]}.`);
      await jwt('a 9 KB token', gateway, await valid(claims({ padding: 'x'.repeat(9_000) })));
    }
    // The HS256 gateway: keys and algorithms that are not its own.
    await jwt('HS256 with another secret', hsGateway, await hmac(claims(), 'an-attacker-secret-that-is-32-bytes-long'));
    await jwt('HS512 with the right secret', hsGateway, await hmac(claims(), TEST_JWT_SECRET, 'HS512'));
    await jwt('RS256 signed by the JWKS issuer', hsGateway, await rs256(claims()));
    // The JWKS gateway: the algorithm confusion and keys it did not publish.
    await jwt('HS256 keyed with the RSA public key (PEM)', jwksGateway.url, await hmac(claims(), publicPem));
    await jwt('HS256 keyed with the public JWK\'s modulus', jwksGateway.url, await hmac(claims(), publicJwk.n!));
    await jwt('HS256 keyed with the public JWK as JSON', jwksGateway.url, await hmac(claims(), JSON.stringify(publicJwk)));
    await jwt('HS256 with the gateway\'s JWT_SECRET (JWKS wins)', jwksGateway.url, await hmac(claims(), TEST_JWT_SECRET));
    await jwt('RS256 by an attacker key under the issuer\'s kid', jwksGateway.url, await rs256(claims(), attacker.privateKey));
    await jwt('RS256 by an attacker key embedded as jwk', jwksGateway.url, await rs256(claims(), attacker.privateKey, { jwk: await exportJWK(attacker.publicKey) }));
    await jwt('RS256 by an attacker key behind a jku', jwksGateway.url, await rs256(claims(), attacker.privateKey, { jku: 'http://127.0.0.1:9/jwks.json', kid: 'attacker' }));
    await jwt('PS256 with the issuer\'s own key', jwksGateway.url, await new SignJWT(claims() as never).setProtectedHeader({ alg: 'PS256', kid: 'issuer-key-1' }).sign(issuerKeys.privateKey));
    await jwt('unknown kid', jwksGateway.url, await rs256(claims(), issuerKeys.privateKey, { kid: 'no-such-key' }));
    await jwt('a JWS that is not a JWT (no claims)', jwksGateway.url, await new CompactSign(new TextEncoder().encode('hello')).setProtectedHeader({ alg: 'RS256', kid: 'issuer-key-1' }).sign(issuerKeys.privateKey));

    // Controls: what the forgeries imitate does get through.
    const controls = [
      (await fetch(`${pipeline.ingestUrl}/v1/webhooks/openrouter/${ORG}`, { method: 'POST', headers: good.headers, body })).status,
      (await fetch(`${pipeline.ingestUrl}/v1/otlp/${ORG}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestToken}` }, body: JSON.stringify(otlpFixture('with-user', { at: new Date(Date.now() - 60_000), generationId: 'otlp-control' })) })).status,
      (await call(hsGateway, `${API}/usage-by-model`, await hs256Token({ org: ORG }))).status,
      (await call(jwksGateway.url, `${API}/usage-by-model`, await rs256(claims()))).status,
    ];
    const published = (await pipeline.streamMessages()) - messagesBefore;
    const letIn = attempts.filter((a) => a.status < 400 || a.status >= 500);
    const statuses = new Map<number, number>();
    for (const a of attempts) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    Object.assign(row, {
      done: `${attempts.filter((a) => a.what.startsWith('webhook')).length} forged webhooks, ${attempts.filter((a) => a.what.startsWith('otlp')).length} forged OTLP exports, ${attempts.filter((a) => a.what.startsWith('jwt')).length} forged JWTs on an HS256 and an RS256/JWKS gateway (alg none, HS256 keyed with the RSA public key, foreign keys, kid/jwk/jku tricks, wrong iss/aud, expired, nbf ahead, missing org/sub/exp, tampered payload); answers ${[...statuses].map(([s, c]) => `${s}×${c}`).join(', ')}; controls with real credentials: ${controls.join('/')}; ${published} messages published (the 2 controls)`,
      sent: attempts.length,
      expected: 0,
      found: letIn.length,
    });

    expect(letIn).toEqual([]);
    for (const attempt of attempts) expect({ what: attempt.what, status: attempt.status }).toEqual({ what: attempt.what, status: 401 });
    expect(controls).toEqual([202, 200, 200, 200]);
    expect(published).toBe(2);
  });
});
