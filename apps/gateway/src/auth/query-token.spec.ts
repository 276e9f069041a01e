import type { IncomingMessage } from 'node:http';
import { queryAccessToken, takeAccessTokenFromUrl } from './query-token';

const request = (url: string) => ({ url }) as IncomingMessage & { originalUrl?: string };

describe('takeAccessTokenFromUrl', () => {
  it('takes the token out of the URL, keeps other parameters, and hides it from the logged URL', () => {
    const raw = request('/api/v1/x/events?access_token=abc.def.ghi&since=1');
    expect(takeAccessTokenFromUrl(raw)).toBe('/api/v1/x/events?since=1');
    expect(raw.originalUrl).toBe('/api/v1/x/events?since=1');
    expect(queryAccessToken(raw)).toBe('abc.def.ghi');
  });

  it('drops every copy of the parameter and keeps the first value', () => {
    const raw = request('/e?access_token=first&access_token=second');
    expect(takeAccessTokenFromUrl(raw)).toBe('/e');
    expect(queryAccessToken(raw)).toBe('first');
  });

  it('leaves URLs without a token untouched', () => {
    const raw = request('/api/v1/x/usage-by-model?start=2026-12-01');
    expect(takeAccessTokenFromUrl(raw)).toBe('/api/v1/x/usage-by-model?start=2026-12-01');
    expect(queryAccessToken(raw)).toBeUndefined();
    expect(takeAccessTokenFromUrl(request('/access_token/path'))).toBe('/access_token/path');
  });
});
