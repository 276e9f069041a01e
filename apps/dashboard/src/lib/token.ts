// Where the page's bearer token comes from, and what it says. The page never verifies the JWT (the gateway does);
// it decodes the payload only to show whose data this is.

export const TOKEN_STORAGE_KEY = 'mai-usage.token';
export const TOKEN_MESSAGE_TYPE = 'mai-usage-token';
export const READY_MESSAGE_TYPE = 'mai-usage-ready';

export type Role = 'admin' | 'member';

export interface TokenClaims {
  readonly org: string | null;
  readonly sub: string | null;
  readonly role: Role | null;
  /** Expiry, seconds since the epoch. */
  readonly exp: number | null;
}

function base64UrlDecode(segment: string): string {
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(segment.length / 4) * 4, '=');
  const binary = atob(b64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The JWT payload's claims, or null when the string is not a JWT. */
export function decodeClaims(token: string): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const payload = JSON.parse(base64UrlDecode(parts[1])) as Record<string, unknown>;
    if (typeof payload !== 'object' || payload === null) return null;
    const role = payload.role === 'admin' || payload.role === 'member' ? payload.role : null;
    return {
      org: typeof payload.org === 'string' ? payload.org : null,
      sub: typeof payload.sub === 'string' ? payload.sub : null,
      role,
      exp: typeof payload.exp === 'number' ? payload.exp : null,
    };
  } catch {
    return null;
  }
}

export function isExpired(claims: TokenClaims, nowMs: number): boolean {
  return claims.exp !== null && claims.exp * 1000 <= nowMs;
}

/** A rough shape check for pasted tokens: three base64url segments. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token.trim());
}

/**
 * The token in a `#token=<jwt>` fragment, and the fragment to leave in the URL once it is taken out
 * (other fragment parameters survive).
 */
export function takeTokenFromHash(hash: string): { token: string | null; rest: string } {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!raw) return { token: null, rest: '' };
  const params = new URLSearchParams(raw);
  const token = params.get('token') ?? params.get('access_token');
  if (!token) return { token: null, rest: hash };
  params.delete('token');
  params.delete('access_token');
  const rest = params.toString();
  return { token: token.trim(), rest: rest ? `#${rest}` : '' };
}

/** A host application's `postMessage({type: 'mai-usage-token', token})`, or null for any other message. */
export function tokenFromMessage(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const msg = data as Record<string, unknown>;
  if (msg.type !== TOKEN_MESSAGE_TYPE || typeof msg.token !== 'string') return null;
  const token = msg.token.trim();
  return token ? token : null;
}
