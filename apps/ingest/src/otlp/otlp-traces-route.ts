// POST /v1/otlp/{orgId}/v1/traces (contract §3b): OpenRouter Broadcast's OTLP/JSON traces. Thin HTTP edge over
// org → bearer token → connection probe → body decoding → trace intake. Answers follow OTLP/HTTP: 200 with
// `{}` or `{"partialSuccess": ...}`; 429/503 with Retry-After are the retryable ones. Framework-free, like the
// webhook's (http-handling.ts serves both).
import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { Answer, answer } from '../answers';
import { MAX_BODY_BYTES } from '../http-handling';
import { IntakeOverloadedError, IntakeUnavailableError } from '../intake/usage-intake';
import { OrganizationDirectory } from '../organizations/organization-directory';
import { IngestTokenCheck } from './ingest-token-check';
import { decodeOtlpBody } from './otlp-body';
import { exportAnswer } from './partial-success';
import { TraceIntake } from './trace-intake';

export const OTLP_TRACES_ROUTE = '/v1/otlp/:orgId/v1/traces';

const single = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

@Injectable()
export class OtlpTracesRoute {
  constructor(
    private readonly organizations: OrganizationDirectory,
    private readonly tokens: IngestTokenCheck,
    private readonly traces: TraceIntake,
  ) {}

  async handle(orgId: string, headers: IncomingHttpHeaders, raw: Buffer): Promise<Answer> {
    const unavailable = (what: string) => answer('otlp', orgId, 503, { error: `${what} is unavailable; retry later` }, { 'Retry-After': '5' });

    let organization;
    try {
      organization = await this.organizations.find(orgId);
    } catch {
      return unavailable('the organization directory');
    }
    if (!organization) return answer('otlp', orgId, 404, { error: `unknown organization "${orgId.slice(0, 64)}"` });
    let token;
    try {
      token = await this.tokens.verify(organization.orgId, single(headers, 'authorization'));
    } catch {
      return unavailable('the ingest token store');
    }
    if (!token.ok) return answer('otlp', orgId, 401, { error: `unauthorized: ${token.reason}` }, { 'WWW-Authenticate': 'Bearer' });

    // OpenRouter's "Test Connection": authenticated like any export, so a wrong token fails the test; never recorded.
    if (single(headers, 'x-test-connection')?.trim().toLowerCase() === 'true') return answer('otlp', orgId, 200, {});

    const body = await decodeOtlpBody(raw, { contentType: single(headers, 'content-type'), contentEncoding: single(headers, 'content-encoding') }, MAX_BODY_BYTES);
    if (!body.ok) return answer('otlp', orgId, body.status, { error: body.error });

    try {
      const result = await this.traces.receive(organization, body.bytes);
      if (result.kind === 'malformed') return answer('otlp', orgId, 400, { error: result.error });
      return answer('otlp', orgId, 200, exportAnswer(result.rejected));
    } catch (error) {
      if (error instanceof IntakeOverloadedError) return answer('otlp', orgId, 429, { error: error.message }, { 'Retry-After': '1' });
      if (error instanceof IntakeUnavailableError) return answer('otlp', orgId, 503, { error: `${error.message}; nothing was stored, retry later` }, { 'Retry-After': '5' });
      throw error;
    }
  }
}
