// Dashboard JWTs for the scenarios: valid HS256 ones (the test secret) and the means to forge bad ones.
import { SignJWT } from 'jose';
import { TEST_JWT_SECRET } from '@mai/testing';

export const ISSUER = 'mai-usage';
export const AUDIENCE = 'mai-dashboard';
export const API = '/api/v1/usage-tracking/my-organization';

let users = 0;
/** Every token speaks as a new user unless told otherwise, so no scenario runs into the 100-a-minute limit. */
export function freshUser(label = 'user'): string {
  return `${label}-${++users}-${process.pid}@faults.test`;
}

export async function hs256Token(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: number; issuer?: string; audience?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: 'admin', sub: freshUser(), ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 600))
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

export interface Answer {
  readonly status: number;
  readonly body: any;
  readonly text: string;
  readonly headers: Headers;
}

export async function call(baseUrl: string, path: string, token?: string, init: RequestInit = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) };
  const response = await fetch(`${baseUrl}${path}`, { ...init, headers, signal: init.signal ?? AbortSignal.timeout(15_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // CSV, HTML, event streams
  }
  return { status: response.status, body, text, headers: response.headers };
}

/** Looks like a leaked stack trace or internals: file paths, "at fn (" frames, error class names. */
export function looksLikeStackTrace(text: string): boolean {
  return /\bat [\w.<>]+ \(|\/work\/|node_modules|\.ts:\d+|Error:\s|ECONNREFUSED|DatabaseError/.test(text);
}
