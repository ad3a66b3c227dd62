import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ERROR_STATUS, withLivenessOperation } from '@app/common';
import { addProblemBodies } from './openapi-problems.js';

type Schema = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

const PROBLEM_SCHEMA: Schema = {
  type: 'object',
  description: 'RFC 9457 problem details; every error response has this shape.',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', example: 'urn:sharexpress:problem:validation-failed' },
    title: { type: 'string', example: 'Validation failed' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'The request is invalid.' },
    code: { type: 'string', enum: Object.keys(ERROR_STATUS), example: 'VALIDATION_FAILED' },
    requestId: { type: 'string', example: '4f1c2d7e-8a0b-4c55-9a51-0c8f3e5d2b71' },
    errors: {
      type: 'array',
      description:
        'Field errors of a validation failure: the first 20, fields and messages cut at 200 characters.',
      maxItems: 20,
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
    interval: {
      type: 'integer',
      description:
        'Pairing polls only (AUTHORIZATION_PENDING, SLOW_DOWN): seconds to wait before polling again (RFC 8628).',
      example: 10,
    },
    errorsOmitted: {
      type: 'integer',
      description: 'How many further field errors were left out of `errors`.',
      example: 5,
    },
  },
};

function addProblemSchema(document: OpenAPIObject): void {
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA },
  };
  addProblemBodies(document);
}

/** The OpenAPI 3 document of every route `app` serves (on PORT), with the problem+json bodies. */
export function buildApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const scanned = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Sharexpress')
      .setDescription('Secure, session-based, time-limited file sharing.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  // /health/live is a Fastify route of its own (no controller for the scanner to find).
  const document = withLivenessOperation(scanned);
  addProblemSchema(document);
  return document;
}

/**
 * Swagger UI at /docs, the document at /docs-json and /docs-yaml, on `app`: the API itself, or
 * its ops listener (OPS_PORT). Served by Fastify directly, outside the guards; call before init().
 */
export function serveApiDocs(app: NestFastifyApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}
