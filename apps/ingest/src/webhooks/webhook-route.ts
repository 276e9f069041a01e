// POST /v1/webhooks/openrouter/{orgId} (contract §3): thin HTTP edge over verify → read → intake. Framework-free
// (org id, headers and raw body in, an Answer out): http-handling.ts serves it straight from Node's request for
// plain requests and through a Fastify route for the rest, with no Nest router, middleware or exception layer
// between a webhook and its rules — for a one-record webhook those cost more than the rules.
import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { Answer, answer } from '../answers';
import { IntakeOverloadedError, IntakeUnavailableError, UsageIntake } from '../intake/usage-intake';
import { OrganizationDirectory } from '../organizations/organization-directory';
import { readWebhookBody } from './webhook-body';
import { verifyWebhookSignature } from './webhook-signature';

export const WEBHOOK_ROUTE = '/v1/webhooks/openrouter/:orgId';

const RETRY_SOON = { 'Retry-After': '1' };
const RETRY_LATER = { 'Retry-After': '5' };

@Injectable()
export class WebhookRoute {
  constructor(
    private readonly organizations: OrganizationDirectory,
    private readonly intake: UsageIntake,
  ) {}

  async handle(orgId: string, headers: IncomingHttpHeaders, rawBody: Buffer): Promise<Answer> {
    let organization;
    try {
      organization = await this.organizations.find(orgId);
    } catch {
      return answer('webhook', orgId, 503, { error: 'the organization directory is unavailable; retry later' }, RETRY_LATER);
    }
    if (!organization) return answer('webhook', orgId, 404, { error: `unknown organization "${orgId.slice(0, 64)}"` });

    const signature = verifyWebhookSignature(organization.secrets, rawBody, headers);
    if (!signature.ok) return answer('webhook', orgId, 401, { error: `invalid webhook signature: ${signature.reason}` });

    const body = readWebhookBody(rawBody);
    if (!body.ok) return answer('webhook', orgId, 400, { error: body.error, details: body.details });

    try {
      const result = await this.intake.submit({
        orgId: organization.orgId,
        timeZone: organization.timeZone,
        source: 'webhook',
        deliveryId: signature.webhookId,
        inputs: body.inputs,
      });
      if (result.kind === 'rejected') return answer('webhook', orgId, 400, { error: result.error, details: result.details });
      return answer('webhook', orgId, 202, { accepted: result.accepted, duplicates: result.duplicates });
    } catch (error) {
      if (error instanceof IntakeOverloadedError) return answer('webhook', orgId, 429, { error: error.message }, RETRY_SOON);
      if (error instanceof IntakeUnavailableError) return answer('webhook', orgId, 503, { error: `${error.message}; nothing was stored, retry later` }, RETRY_LATER);
      throw error;
    }
  }
}
