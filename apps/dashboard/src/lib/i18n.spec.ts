import { DICTIONARIES, pickLocale, translate } from './i18n';

describe('translate', () => {
  it('fills placeholders', () => {
    expect(translate('en', 'range.timezone', { timezone: 'Europe/Warsaw' })).toBe('Days in Europe/Warsaw');
    expect(translate('pl', 'fx.effective', { date: '3 gru 2026' })).toBe('z dnia 3 gru 2026');
  });

  it('leaves an unknown placeholder visible rather than blank', () => {
    expect(translate('en', 'range.timezone')).toBe('Days in {timezone}');
  });

  it('has the required states in both languages', () => {
    expect(translate('en', 'empty.title')).toBe('No usage in this period');
    expect(translate('en', 'org.title')).toBe('Organization data unavailable');
    expect(translate('pl', 'empty.title')).toBe('Brak zużycia w tym okresie');
  });

  it('has every key translated (no empty Polish strings)', () => {
    for (const [key, value] of Object.entries(DICTIONARIES.pl)) expect([key, value.trim().length > 0]).toEqual([key, true]);
    expect(Object.keys(DICTIONARIES.pl).sort()).toEqual(Object.keys(DICTIONARIES.en).sort());
  });

  it('keeps the same placeholders in both languages', () => {
    const names = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(DICTIONARIES.en) as (keyof typeof DICTIONARIES.en)[]) {
      expect([key, names(DICTIONARIES.pl[key])]).toEqual([key, names(DICTIONARIES.en[key])]);
    }
  });
});

describe('pickLocale', () => {
  it('prefers a saved choice', () => {
    expect(pickLocale('pl', ['en-US'])).toBe('pl');
    expect(pickLocale('en', ['pl-PL'])).toBe('en');
  });

  it('follows the browser otherwise', () => {
    expect(pickLocale(null, ['pl-PL', 'en'])).toBe('pl');
    expect(pickLocale(null, ['de-DE', 'pl'])).toBe('pl');
    expect(pickLocale(null, ['en-GB'])).toBe('en');
  });

  it('falls back to English', () => {
    expect(pickLocale('fr', ['de-DE'])).toBe('en');
    expect(pickLocale(null, [])).toBe('en');
  });
});
