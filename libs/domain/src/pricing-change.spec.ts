import { MARKUP_CHANGE_LEAD_MS, catalogModelIssue, markupChange, parseEffectiveFrom } from './pricing-change';

const now = new Date('2026-12-04T12:00:00Z');

describe('parseEffectiveFrom', () => {
  it('reads a date as 00:00 UTC that day and an instant as written', () => {
    expect(parseEffectiveFrom('2027-01-01')?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(parseEffectiveFrom('2027-01-01T00:00:00+01:00')?.toISOString()).toBe('2026-12-31T23:00:00.000Z');
  });

  it.each(['2027-02-30', 'tomorrow', '2027-01-01T00:00:00', ''])('rejects %p', (text) => {
    expect(parseEffectiveFrom(text)).toBeUndefined();
  });
});

describe('markupChange: a new markup applies only to usage that has not happened yet', () => {
  it('accepts a rate from a future date', () => {
    const change = markupChange('1.5', '2027-01-01', now);
    expect(change.ok && [change.rate.toString(), change.effectiveFrom.toISOString()]).toEqual(['1.5', '2027-01-01T00:00:00.000Z']);
  });

  it('accepts a start exactly the lead time ahead, and refuses one a millisecond earlier', () => {
    const earliest = new Date(now.getTime() + MARKUP_CHANGE_LEAD_MS);
    expect(markupChange('1.4', earliest.toISOString(), now).ok).toBe(true);
    expect(markupChange('1.4', new Date(earliest.getTime() - 1).toISOString(), now)).toEqual({ ok: false, reason: expect.stringMatching(/too early/) });
  });

  it('refuses a start in the past, which would price late-arriving usage unlike the usage already recorded', () => {
    expect(markupChange('1.4', '2026-12-01', now)).toEqual({ ok: false, reason: expect.stringMatching(/has not happened yet/) });
    expect(markupChange('1.4', '2026-12-04', now).ok).toBe(false); // today 00:00 UTC is already past
  });

  it.each([
    ['0', /positive decimal/],
    ['-1.2', /positive decimal/],
    ['1,3', /positive decimal/],
    ['130', /at most 10/],
  ])('refuses the rate %p', (rate, reason) => {
    expect(markupChange(rate, '2027-01-01', now)).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('refuses an unreadable --from', () => {
    expect(markupChange('1.4', '01/01/2027', now)).toEqual({ ok: false, reason: expect.stringMatching(/--from must be/) });
  });
});

describe('catalogModelIssue', () => {
  const model = { id: 'mistralai/mistral-large-2411', displayName: 'Mistral Large', provider: 'Mistral' };

  it('accepts an OpenRouter model id with a name and a provider', () => {
    expect(catalogModelIssue(model)).toBeUndefined();
  });

  it.each([
    [{ ...model, id: 'Mistral Large' }, /vendor\/name/],
    [{ ...model, displayName: ' ' }, /--name/],
    [{ ...model, provider: '' }, /--provider/],
  ])('rejects %p', (candidate, reason) => {
    expect(catalogModelIssue(candidate)).toMatch(reason);
  });
});
