// POST /v1/otlp/{orgId}/v1/traces (contract §3b): OpenRouter Broadcast's OTLP/JSON traces. Thin HTTP edge over
// org → bearer token → connection probe → body decoding → trace intake. Answers follow OTLP/HTTP: 200 with
// `{}` or `{"partialSuccess": ...}`; 429/503 with Retry-After are the retryable ones.
import { Controller, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_BODY_BYTES } from '../http-handling';
import { IntakeOverloadedError, IntakeUnavailableError } from '../intake/usage-intake';
import { ingestMetrics } from '../intake/ingest-metrics';
import { OrganizationDirectory } from '../organizations/organization-directory';
import { IngestTokenCheck } from './ingest-token-check';
import { decodeOtlpBody } from './otlp-body';
import { exportAnswer } from './partial-success';
import { TraceIntake } from './trace-intake';

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

@Controller('v1/otlp')
export class OtlpTracesController {
  constructor(
    private readonly organizations: OrganizationDirectory,
    private readonly tokens: IngestTokenCheck,
    private readonly traces: TraceIntake,
  ) {}

  @Post(':orgId/v1/traces')
  async receive(@Param('orgId') orgId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const answer = (status: number, body: object, headers: Record<string, string> = {}) => {
      ingestMetrics.requests.inc({ receiver: 'otlp', status });
      void reply.status(status).headers(headers).send(body);
    };
    const unavailable = (what: string) => answer(HttpStatus.SERVICE_UNAVAILABLE, { error: `${what} is unavailable; retry later` }, { 'Retry-After': '5' });

    let organization;
    try {
      organization = await this.organizations.find(orgId);
    } catch {
      return unavailable('the organization directory');
    }
    if (!organization) return answer(HttpStatus.NOT_FOUND, { error: `unknown organization "${orgId.slice(0, 64)}"` });
    let token;
    try {
      token = await this.tokens.verify(organization.orgId, header(request, 'authorization'));
    } catch {
      return unavailable('the ingest token store');
    }
    if (!token.ok) return answer(HttpStatus.UNAUTHORIZED, { error: `unauthorized: ${token.reason}` }, { 'WWW-Authenticate': 'Bearer' });

    // OpenRouter's "Test Connection": authenticated like any export, so a wrong token fails the test; never recorded.
    if (header(request, 'x-test-connection')?.trim().toLowerCase() === 'true') return answer(HttpStatus.OK, {});

    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const body = await decodeOtlpBody(raw, { contentType: header(request, 'content-type'), contentEncoding: header(request, 'content-encoding') }, MAX_BODY_BYTES);
    if (!body.ok) return answer(body.status, { error: body.error });

    try {
      const result = await this.traces.receive(organization, body.bytes);
      if (result.kind === 'malformed') return answer(HttpStatus.BAD_REQUEST, { error: result.error });
      return answer(HttpStatus.OK, exportAnswer(result.rejected));
    } catch (error) {
      if (error instanceof IntakeOverloadedError) return answer(HttpStatus.TOO_MANY_REQUESTS, { error: error.message }, { 'Retry-After': '1' });
      if (error instanceof IntakeUnavailableError) return answer(HttpStatus.SERVICE_UNAVAILABLE, { error: `${error.message}; nothing was stored, retry later` }, { 'Retry-After': '5' });
      throw error;
    }
  }
}
