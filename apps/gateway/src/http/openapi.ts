// /api/openapi.json generated from the controllers and DTOs, and a browsable page at /api/docs.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const OPENAPI_JSON_PATH = 'api/openapi.json';
export const API_DOCS_PATH = 'api/docs';

export function publishOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('MAI usage: dashboard API')
    .setDescription(
      'LLM usage and cost per organization (contract §5). Every /api/v1 route needs `Authorization: Bearer <JWT>`; ' +
        'the organization is always the token\'s `org` claim. Errors: `{"success": false, "error": "..."}`. ' +
        'At most 100 requests a minute per user (429 with Retry-After).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(API_DOCS_PATH, app, document, { jsonDocumentUrl: OPENAPI_JSON_PATH, yamlDocumentUrl: 'api/openapi.yaml' });
}
