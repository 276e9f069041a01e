// POST /v1/webhooks/openrouter/{orgId} (contract §3): thin HTTP edge over verify → read → intake.
import { Controller, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IntakeOverloadedError, IntakeUnavailableError, UsageIntake } from '../intake/usage-intake';
import { ingestMetrics } from '../intake/ingest-metrics';
import { OrganizationDirectory } from '../organizations/organization-directory';
import { readWebhookBody } from './webhook-body';
import { verifyWebhookSignature } from './webhook-signature';

@Controller('v1/webhooks/openrouter')
export class WebhookController {
  constructor(
    private readonly organizations: OrganizationDirectory,
    private readonly intake: UsageIntake,
  ) {}

  @Post(':orgId')
  async receive(@Param('orgId') orgId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const answer = (status: number, body: object, headers: Record<string, string> = {}) => {
      ingestMetrics.requests.inc({ receiver: 'webhook', status });
      void reply.status(status).headers(headers).send(body);
    };
    let organization;
    try {
      organization = await this.organizations.find(orgId);
    } catch {
      return answer(HttpStatus.SERVICE_UNAVAILABLE, { error: 'the organization directory is unavailable; retry later' }, { 'Retry-After': '5' });
    }
    if (!organization) return answer(HttpStatus.NOT_FOUND, { error: `unknown organization "${orgId.slice(0, 64)}"` });

    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signature = verifyWebhookSignature(organization.secrets, rawBody, request.headers);
    if (!signature.ok) return answer(HttpStatus.UNAUTHORIZED, { error: `invalid webhook signature: ${signature.reason}` });

    const body = readWebhookBody(rawBody);
    if (!body.ok) return answer(HttpStatus.BAD_REQUEST, { error: body.error, details: body.details });

    try {
      const result = await this.intake.submit({
        orgId: organization.orgId,
        timeZone: organization.timeZone,
        source: 'webhook',
        deliveryId: signature.webhookId,
        inputs: body.inputs,
      });
      if (result.kind === 'rejected') return answer(HttpStatus.BAD_REQUEST, { error: result.error, details: result.details });
      return answer(HttpStatus.ACCEPTED, { accepted: result.accepted, duplicates: result.duplicates });
    } catch (error) {
      if (error instanceof IntakeOverloadedError) return answer(HttpStatus.TOO_MANY_REQUESTS, { error: error.message }, { 'Retry-After': '1' });
      if (error instanceof IntakeUnavailableError) return answer(HttpStatus.SERVICE_UNAVAILABLE, { error: `${error.message}; nothing was stored, retry later` }, { 'Retry-After': '5' });
      throw error;
    }
  }
}
