// The bytes of an OTLP/HTTP request: JSON only (OpenRouter Broadcast sends OTLP/JSON), optionally gzipped as
// OTLP exporters do. The 1 MiB limit applies to the body after decompression too, and inflation stops as soon
// as it is passed, so a gzip bomb costs at most 1 MiB of memory.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

export type OtlpBodyDecoding = { ok: true; bytes: Buffer } | { ok: false; status: 400 | 413 | 415; error: string };

export interface OtlpBodyHeaders {
  readonly contentType?: string;
  readonly contentEncoding?: string;
}

export async function decodeOtlpBody(raw: Buffer, headers: OtlpBodyHeaders, maxBytes: number): Promise<OtlpBodyDecoding> {
  const mediaType = headers.contentType?.split(';')[0].trim().toLowerCase();
  if (mediaType && mediaType !== 'application/json' && !mediaType.endsWith('+json')) {
    return { ok: false, status: 415, error: `Content-Type ${mediaType} is not accepted; send OTLP/JSON as application/json` };
  }
  const encoding = headers.contentEncoding?.trim().toLowerCase() || 'identity';
  if (encoding === 'identity') return { ok: true, bytes: raw };
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    return { ok: false, status: 415, error: `Content-Encoding ${encoding.slice(0, 40)} is not accepted; send gzip or identity` };
  }
  try {
    return { ok: true, bytes: await gunzipAsync(raw, { maxOutputLength: maxBytes }) };
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      return { ok: false, status: 413, error: `the body is larger than ${maxBytes} bytes after decompression` };
    }
    return { ok: false, status: 400, error: 'the body is not valid gzip' };
  }
}

/**
 * The delivery id of an OTLP request: a hash of its decompressed bytes, so an exporter's retry of the same
 * request gets the same Nats-Msg-Id and the stream drops it.
 */
export function otlpDeliveryId(bytes: Buffer): string {
  return `otlp-${createHash('sha256').update(bytes).digest('base64url')}`;
}
