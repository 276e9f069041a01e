// The OTLP → generation mapping as a specification: what each fixture and each attribute encoding becomes.
import { OtlpExport, otlpFixture, rootSpanOf } from './fixtures';
import { TraceReading, readOtlpTraces } from './otlp-spans';

function reading(body: unknown): TraceReading {
  const result = readOtlpTraces(body);
  if (!result.ok) throw new Error(`expected a reading, got: ${result.error}`);
  return result.reading;
}

/** A fixture whose root span has `key` set to `value` (or removed when `value` is undefined). */
function withRootAttribute(fixture: OtlpExport, key: string, value: object | undefined): OtlpExport {
  const root = rootSpanOf(fixture);
  root.attributes = root.attributes.filter((attribute: { key: string }) => attribute.key !== key);
  if (value) root.attributes.push({ key, value });
  return fixture;
}

const withoutRootAttributes = (fixture: OtlpExport, ...keys: string[]) =>
  keys.reduce((bent, key) => withRootAttribute(bent, key, undefined), fixture);

describe('readOtlpTraces: OpenRouter Broadcast fixtures', () => {
  it('maps the root span of a generation with two provider attempts and ignores both attempts', () => {
    const { generations, rejected, childSpans } = reading(otlpFixture('two-provider-attempts'));
    expect(rejected).toEqual([]);
    expect(childSpans).toBe(2);
    expect(generations).toEqual([
      {
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        input: {
          id: 'gen-1764494043-Xk2pQ8vRtYz5LmNa3BcD',
          model: 'anthropic/claude-sonnet-4',
          providerName: 'Anthropic',
          totalCost: 0.011709,
          promptTokens: 1843,
          completionTokens: 412,
          createdAt: '2026-11-30T09:14:03.512Z',
          user: undefined,
        },
      },
    ]);
  });

  it('reads a streamed generation whose exporter writes intValue as JSON numbers', () => {
    const [generation] = reading(otlpFixture('streamed')).generations;
    expect(generation.input).toMatchObject({ model: 'google/gemini-2.5-flash', promptTokens: 5120, completionTokens: 870, totalCost: 0.003711, providerName: 'Google AI Studio' });
  });

  it('counts cached and reasoning tokens once: they are already inside the input and output counts', () => {
    const [generation] = reading(otlpFixture('cached-and-reasoning')).generations;
    expect(generation.input).toMatchObject({ model: 'openai/o3', promptTokens: 12000, completionTokens: 3400, totalCost: 0.038912 });
  });

  it('takes the end user from user.id, and the older prompt/completion token keys', () => {
    const [generation] = reading(otlpFixture('with-user')).generations;
    expect(generation.input).toMatchObject({ user: 'user_2f9c41', promptTokens: 1500, completionTokens: 420, totalCost: '0.000732' });
  });

  it('reads every root span of a request with several resources and scopes', () => {
    const merged = { resourceSpans: [...otlpFixture('streamed').resourceSpans, ...otlpFixture('with-user').resourceSpans] };
    const { generations, childSpans } = reading(merged);
    expect(generations.map((g) => g.input.model)).toEqual(['google/gemini-2.5-flash', 'deepseek/deepseek-chat-v3-0324']);
    expect(childSpans).toBe(2);
  });
});

describe('readOtlpTraces: which attribute wins', () => {
  it('prefers gen_ai.response.model (what ran) over gen_ai.request.model (what was asked, e.g. openrouter/auto)', () => {
    const fixture = withRootAttribute(otlpFixture('streamed'), 'gen_ai.request.model', { stringValue: 'openrouter/auto' });
    expect(reading(fixture).generations[0].input.model).toBe('google/gemini-2.5-flash');
    const requestOnly = withoutRootAttributes(otlpFixture('streamed'), 'gen_ai.response.model');
    expect(reading(requestOnly).generations[0].input.model).toBe('google/gemini-2.5-flash');
  });

  it('prefers gen_ai.usage.total_cost over gen_ai.usage.cost', () => {
    const fixture = withRootAttribute(otlpFixture('two-provider-attempts'), 'gen_ai.usage.cost', { doubleValue: 99 });
    expect(reading(fixture).generations[0].input.totalCost).toBe(0.011709);
  });

  it('falls back to the traceId as the generation id when gen_ai.response.id is missing', () => {
    const fixture = withoutRootAttributes(otlpFixture('two-provider-attempts'), 'gen_ai.response.id');
    expect(reading(fixture).generations[0].input.id).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('dates the generation by the span start, else its end, to the millisecond', () => {
    const fixture = otlpFixture('two-provider-attempts');
    rootSpanOf(fixture).startTimeUnixNano = '0';
    expect(reading(fixture).generations[0].input.createdAt).toBe('2026-11-30T09:14:08.322Z');
  });

  it('leaves the provider to the catalog when the span names none', () => {
    const fixture = withoutRootAttributes(otlpFixture('streamed'), 'openrouter.provider_name', 'gen_ai.provider.name');
    expect(reading(fixture).generations[0].input.providerName).toBeUndefined();
  });
});

describe('readOtlpTraces: attribute encodings', () => {
  it.each([
    ['intValue as a string (OTLP/JSON int64)', { intValue: '1843' }],
    ['intValue as a JSON number', { intValue: 1843 }],
    ['an integral doubleValue', { doubleValue: 1843 }],
    ['digits in a stringValue', { stringValue: '1843' }],
  ])('accepts tokens as %s', (_case, value) => {
    const fixture = withRootAttribute(otlpFixture('two-provider-attempts'), 'gen_ai.usage.input_tokens', value);
    expect(reading(fixture).generations[0].input.promptTokens).toBe(1843);
  });

  it.each([
    ['a doubleValue', { doubleValue: 0.0042 }, 0.0042],
    ['a doubleValue written as a string', { doubleValue: '0.0042' }, '0.0042'],
    ['a decimal stringValue', { stringValue: '0.0042' }, '0.0042'],
    ['an intValue', { intValue: '2' }, '2'],
  ])('passes a cost given as %s on to the domain unchanged', (_case, value, expected) => {
    const fixture = withRootAttribute(otlpFixture('two-provider-attempts'), 'gen_ai.usage.total_cost', value);
    expect(reading(fixture).generations[0].input.totalCost).toBe(expected);
  });
});

describe('readOtlpTraces: spans that cannot be usage are rejected with a reason, the rest still counts', () => {
  it.each([
    ['no model', ['gen_ai.response.model', 'gen_ai.request.model'], /gen_ai.response.model or gen_ai.request.model is missing/],
    ['no input tokens', ['gen_ai.usage.input_tokens'], /gen_ai.usage.input_tokens or gen_ai.usage.prompt_tokens is missing/],
    ['no output tokens', ['gen_ai.usage.output_tokens'], /gen_ai.usage.output_tokens or gen_ai.usage.completion_tokens is missing/],
    ['no cost', ['gen_ai.usage.total_cost'], /gen_ai.usage.total_cost or gen_ai.usage.cost is missing/],
  ])('a root span with %s', (_case, keys, reason) => {
    const bent = withoutRootAttributes(otlpFixture('two-provider-attempts'), ...keys);
    const merged = { resourceSpans: [...bent.resourceSpans, ...otlpFixture('with-user').resourceSpans] };
    const { generations, rejected } = reading(merged);
    expect(rejected).toEqual([{ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', reason: expect.stringMatching(reason) }]);
    expect(generations.map((g) => g.input.model)).toEqual(['deepseek/deepseek-chat-v3-0324']);
  });

  it.each([
    ['negative tokens', 'gen_ai.usage.input_tokens', { intValue: '-5' }, /integer from 0/],
    ['fractional tokens', 'gen_ai.usage.output_tokens', { doubleValue: 1.5 }, /integer from 0/],
    ['tokens above the bound', 'gen_ai.usage.output_tokens', { intValue: '100000001' }, /integer from 0 to 100000000/],
    ['a model that is not a string', 'gen_ai.response.model', { boolValue: true }, /must be a string/],
    ['an over-long generation id', 'gen_ai.response.id', { stringValue: 'g'.repeat(129) }, /at most 128/],
    ['an over-long user', 'user.id', { stringValue: 'u'.repeat(257) }, /at most 256/],
    ['a cost that is neither number nor string', 'gen_ai.usage.total_cost', { boolValue: false }, /number or a decimal string/],
  ])('a root span with %s', (_case, key, value, reason) => {
    const { generations, rejected } = reading(withRootAttribute(otlpFixture('two-provider-attempts'), key, value));
    expect(generations).toEqual([]);
    expect(rejected).toEqual([expect.objectContaining({ reason: expect.stringMatching(reason) })]);
  });

  it('a root span without any time, or with a time that is not nanoseconds', () => {
    const timeless = otlpFixture('streamed');
    delete rootSpanOf(timeless).startTimeUnixNano;
    delete rootSpanOf(timeless).endTimeUnixNano;
    expect(reading(timeless).rejected[0].reason).toMatch(/startTimeUnixNano \(or endTimeUnixNano\) is missing/);
    const garbled = otlpFixture('streamed');
    rootSpanOf(garbled).startTimeUnixNano = '2026-11-30T09:20:41Z';
    expect(reading(garbled).rejected[0].reason).toMatch(/startTimeUnixNano must be unix nanoseconds/);
  });

  it('lists every problem of a span in one reason', () => {
    const { rejected } = reading({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab', spanId: 'cd', name: 'GET /health' }] }] }] });
    expect(rejected[0].reason.split('; ')).toHaveLength(5);
  });
});

describe('readOtlpTraces: what is not usage', () => {
  it('ignores child spans, also when their parent is not in the request (and says so)', () => {
    const fixture = otlpFixture('two-provider-attempts');
    fixture.resourceSpans[0].scopeSpans[0].spans = fixture.resourceSpans[0].scopeSpans[0].spans.filter((span) => span.parentSpanId);
    expect(reading(fixture)).toEqual({ generations: [], rejected: [], childSpans: 2, childSpansWithoutParent: 2 });
  });

  it('treats an empty or all-zero parentSpanId as a root', () => {
    const fixture = otlpFixture('streamed');
    rootSpanOf(fixture).parentSpanId = '0000000000000000';
    expect(reading(fixture).generations).toHaveLength(1);
  });

  it('reads an empty export (the connection test) as no spans at all', () => {
    for (const empty of [{}, { resourceSpans: [] }, { resourceSpans: [{ scopeSpans: [] }] }, { resourceSpans: [{ scopeSpans: [{}] }] }]) {
      expect(reading(empty)).toEqual({ generations: [], rejected: [], childSpans: 0, childSpansWithoutParent: 0 });
    }
  });
});

describe('readOtlpTraces: requests that are not OTLP/JSON', () => {
  it.each([
    ['a JSON array', [], /ExportTraceServiceRequest/],
    ['resourceSpans that is not an array', { resourceSpans: {} }, /resourceSpans must be an array/],
    ['scopeSpans with a non-object', { resourceSpans: [{ scopeSpans: [1] }] }, /resourceSpans\[0\]\.scopeSpans\[0\] must be an object/],
    ['spans that is a string', { resourceSpans: [{ scopeSpans: [{ spans: 'x' }] }] }, /resourceSpans\[0\]\.scopeSpans\[0\]\.spans must be an array/],
  ])('fails the whole request for %s', (_case, body, error) => {
    const result = readOtlpTraces(body);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(error) });
  });

  it('refuses more than 1000 generation spans in one request', () => {
    const root = rootSpanOf(otlpFixture('streamed'));
    const spans = Array.from({ length: 1001 }, (_, i) => ({ ...root, spanId: `span-${i}` }));
    expect(readOtlpTraces({ resourceSpans: [{ scopeSpans: [{ spans }] }] })).toEqual({ ok: false, error: expect.stringMatching(/at most 1000/) });
  });
});
