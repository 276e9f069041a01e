// Verifies dashboard JWTs (contract §5) with jose: one pinned algorithm, issuer, audience and expiry required,
// a small clock tolerance. The org comes from the token's `org` claim and from nowhere else.
import { createRemoteJWKSet, errors, jwtVerify, JWTPayload, JWTVerifyOptions } from 'jose';
import { ConfigError, ServiceConfig } from '@mai/config';
import { ViewerRole, isOrgId } from '@mai/domain';
import { ExpiringLru } from '@mai/platform';

/** Who is asking, as the token says. */
export interface Viewer {
  readonly userId: string;
  readonly orgId: string;
  readonly role: ViewerRole;
  readonly expiresAt: Date;
}

export type TokenKeySettings =
  | { readonly kind: 'secret'; readonly secret: string }
  | { readonly kind: 'jwks'; readonly url: string; readonly algorithm: JwksAlgorithm };

export type JwksAlgorithm = 'RS256' | 'ES256';
const JWKS_ALGORITHMS: readonly JwksAlgorithm[] = ['RS256', 'ES256'];

export const CLOCK_TOLERANCE_SECONDS = 30;
/** Far above any real token; refuses megabyte "tokens" before any parsing. */
const MAX_TOKEN_LENGTH = 8_192;
const MAX_SUBJECT_LENGTH = 256;
/**
 * A verified token is remembered (by its whole text, signature included) until its `exp`, and at most this long,
 * so a key withdrawn from the JWKS stops being honoured within it. The 30 s tolerance past `exp` is left to jose.
 */
export const VERIFIED_TOKEN_CACHE_MS = 5 * 60_000;
const VERIFIED_TOKENS_KEPT = 20_000;

/** The token was not accepted: answered 401 with `reason`. */
export class InvalidTokenError extends Error {}
/** The keys could not be fetched (JWKS endpoint away): our problem, answered 503. */
export class TokenKeysUnavailableError extends Error {}

/**
 * Which key verifies tokens. A JWKS URL wins over a secret (production deployments set it; JWT_SECRET then only
 * serves the CLI's development tokens elsewhere). JWT_ALGORITHM picks RS256 (default) or ES256 for the JWKS.
 */
export function tokenKeySettings(config: Pick<ServiceConfig, 'jwt'>, env: NodeJS.ProcessEnv = process.env): TokenKeySettings {
  if (config.jwt.jwksUrl) {
    const algorithm = (env.JWT_ALGORITHM || 'RS256') as JwksAlgorithm;
    if (!JWKS_ALGORITHMS.includes(algorithm)) throw new ConfigError(`JWT_ALGORITHM must be RS256 or ES256 with JWT_JWKS_URL, got "${algorithm}"`);
    let url: URL;
    try {
      url = new URL(config.jwt.jwksUrl);
    } catch {
      throw new ConfigError(`JWT_JWKS_URL must be a URL, got "${config.jwt.jwksUrl}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('JWT_JWKS_URL must use http or https');
    return { kind: 'jwks', url: url.toString(), algorithm };
  }
  if (config.jwt.secret) return { kind: 'secret', secret: config.jwt.secret };
  throw new ConfigError('the gateway needs JWT_SECRET (HS256) or JWT_JWKS_URL (RS256/ES256) to verify dashboard tokens');
}

export class TokenVerifier {
  private readonly verifyJwt: (token: string) => Promise<{ payload: JWTPayload }>;
  private readonly usesJwks: boolean;
  private readonly verified = new ExpiringLru<string, Viewer>({ maxEntries: VERIFIED_TOKENS_KEPT });

  constructor(
    settings: TokenKeySettings,
    expected: { readonly issuer: string; readonly audience: string },
    private readonly now: () => number = Date.now,
  ) {
    const options = (algorithm: string): JWTVerifyOptions => ({
      algorithms: [algorithm],
      issuer: expected.issuer,
      audience: expected.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'iss', 'aud', 'sub', 'org'],
    });
    this.usesJwks = settings.kind === 'jwks';
    if (settings.kind === 'secret') {
      const key = new TextEncoder().encode(settings.secret);
      this.verifyJwt = (token) => jwtVerify(token, key, options('HS256'));
    } else {
      const keySet = createRemoteJWKSet(new URL(settings.url), { timeoutDuration: 3_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
      this.verifyJwt = (token) => jwtVerify(token, keySet, options(settings.algorithm));
    }
  }

  async verify(token: string): Promise<Viewer> {
    if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError('the token is too long');
    const now = this.now();
    const known = this.verified.get(token, now);
    if (known) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await this.verifyJwt(token));
    } catch (error) {
      throw explain(error, this.usesJwks);
    }
    const viewer = viewerFrom(payload);
    this.verified.set(token, viewer, Math.min(viewer.expiresAt.getTime(), now + VERIFIED_TOKEN_CACHE_MS));
    return viewer;
  }
}

function viewerFrom(payload: JWTPayload): Viewer {
  const { sub, org, role, exp } = payload as JWTPayload & { org?: unknown; role?: unknown };
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUBJECT_LENGTH) throw new InvalidTokenError('the token\'s "sub" claim must name a user');
  if (!isOrgId(org)) throw new InvalidTokenError('the token\'s "org" claim must be an organization id');
  // A token without a role gets the narrower view; an unknown role is refused rather than guessed at.
  if (role !== undefined && role !== 'admin' && role !== 'member') throw new InvalidTokenError('the token\'s "role" claim must be admin or member');
  return { userId: sub, orgId: org, role: role ?? 'member', expiresAt: new Date((exp ?? 0) * 1000) };
}

function explain(error: unknown, usesJwks: boolean): Error {
  if (error instanceof errors.JWTExpired) return new InvalidTokenError('the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) return new InvalidTokenError(`the token's "${error.claim}" claim is missing or not accepted`);
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError('the token is not signed with the accepted algorithm');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidTokenError('the token\'s signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) return new InvalidTokenError('no published key matches the token');
  // Fetching the key set failed (timeout, HTTP error, bad JSON): not the caller's fault.
  const keySetFailed = error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError) || error.code === 'ERR_JOSE_GENERIC';
  if (usesJwks && keySetFailed) return new TokenKeysUnavailableError('the token signing keys cannot be fetched right now');
  return new InvalidTokenError('the token is malformed');
}
