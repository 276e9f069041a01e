// The OTLP/HTTP answer to an export: `{}` when every span was accepted, else ExportTraceServiceResponse's
// partialSuccess with the number of rejected spans and a message that says which and why.
import { RejectedSpan } from './otlp-spans';

export interface ExportTraceServiceResponse {
  readonly partialSuccess?: { readonly rejectedSpans: number; readonly errorMessage: string };
}

const REASONS_SHOWN = 5;

export function exportAnswer(rejected: readonly RejectedSpan[]): ExportTraceServiceResponse {
  if (rejected.length === 0) return {};
  const shown = rejected.slice(0, REASONS_SHOWN).map((span) => `span ${span.spanId || '?'} of trace ${span.traceId || '?'}: ${span.reason}`);
  const more = rejected.length > REASONS_SHOWN ? `; and ${rejected.length - REASONS_SHOWN} more` : '';
  const noun = rejected.length === 1 ? 'generation span was' : 'generation spans were';
  return {
    partialSuccess: {
      rejectedSpans: rejected.length,
      errorMessage: `${rejected.length} ${noun} not counted: ${shown.join('; ')}${more}`,
    },
  };
}
