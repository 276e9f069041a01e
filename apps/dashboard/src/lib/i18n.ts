// The page's two languages. English is the reference dictionary; Polish must have every key (checked by type).
import type { Locale } from './format';

const en = {
  'app.title': 'LLM Usage & Costs',
  'app.subtitle': 'Usage metering for your organization',
  'nav.usageByModel': 'Usage by Model',
  'nav.sections': 'Dashboard sections',

  'header.org': 'Organization',
  'header.user': 'User',
  'header.role.admin': 'Admin',
  'header.role.member': 'Member',
  'header.signOut': 'Sign out',
  'header.language': 'Language',
  'header.theme.toDark': 'Switch to dark mode',
  'header.theme.toLight': 'Switch to light mode',

  'live.live': 'Live',
  'live.connecting': 'Connecting…',
  'live.reconnecting': 'Reconnecting…',
  'live.off': 'Live updates off',
  'live.liveHint': 'Numbers refresh automatically when new usage arrives',
  'live.offHint': 'Use Refresh to see new usage',
  'action.refresh': 'Refresh',
  'action.retry': 'Retry',
  'action.close': 'Close',
  'action.downloadCsv': 'Download CSV',
  'action.downloading': 'Preparing…',
  'action.csvFailed': 'The CSV download failed. Please try again.',

  'range.label': 'Date range',
  'range.this-month': 'This month',
  'range.last-month': 'Last month',
  'range.last-7-days': 'Last 7 days',
  'range.last-30-days': 'Last 30 days',
  'range.custom': 'Custom',
  'range.start': 'Start date',
  'range.end': 'End date',
  'range.apply': 'Apply',
  'range.invalid-date': 'Enter both dates.',
  'range.start-after-end': 'The start date must not be after the end date.',
  'range.too-long': 'Choose a range of at most 366 days.',
  'range.timezone': 'Days in {timezone}',

  'fx.label': 'USD/PLN',
  'fx.source.nbp': 'NBP table A',
  'fx.source.cache': 'NBP (cached)',
  'fx.source.fallback': 'Fallback rate',
  'fx.effective': 'effective {date}',
  'fx.title': 'Exchange rate used for PLN amounts: 1 USD = {rate} PLN, {source}, effective {date}',

  'summary.heading': 'Monthly summary',
  'summary.avgDailyTokens': 'Avg. daily tokens',
  'summary.avgDailyCost': 'Avg. daily cost',
  'summary.avgUsageDayTokens': '{value} per active day',
  'summary.busiestDay': 'Busiest day',
  'summary.highestCostDay': 'Highest-cost day',
  'summary.uniqueUsers': 'Unique users',
  'summary.tokensOn': '{value} tokens',
  'summary.noData': 'No usage yet',
  'summary.failed': 'Monthly summary unavailable.',

  'top.heading': 'Top models',
  'top.subheading': 'By tokens in the selected period',
  'top.empty': 'No model has been used in this period.',
  'top.share': '{share} of tokens',
  'top.failed': 'Top models unavailable.',

  'trend.heading': 'Daily usage',
  'trend.subheading': 'Stacked by model',
  'trend.metric': 'Chart metric',
  'trend.tokens': 'Tokens',
  'trend.cost': 'Cost (USD)',
  'trend.empty': 'No usage to chart in this period.',
  'trend.failed': 'The daily breakdown could not be loaded.',
  'trend.chartTitle': 'Daily {metric} by model, {range}',
  'trend.dayTotal': '{date}: {value} in total',
  'trend.legend': 'Legend',
  'trend.periodTotal': '{tokens} tokens · {cost} in this period',
  'trend.periodTotalTokens': '{tokens} tokens in this period',

  'table.heading': 'Usage by model',
  'table.caption': 'Token usage and cost per model for {range}. Select a row for its daily breakdown.',
  'table.model': 'Model',
  'table.provider': 'Provider',
  'table.tokens': 'Total tokens',
  'table.requests': 'Requests',
  'table.cost': 'Cost',
  'table.daysUsed': 'Days used',
  'table.total': 'Total',
  'table.modelsCount': '{count} models',
  'table.rowHint': 'Press Enter for the daily breakdown',
  'table.unused': 'Not used in this period',
  'table.costsHidden': 'Costs are visible to organization admins only.',
  'table.costNote': 'Costs include the platform markup. PLN amounts are computed by the server at the rate shown.',

  'drill.heading': 'Daily breakdown',
  'drill.date': 'Date',
  'drill.empty': 'This model was not used in the selected period.',
  'drill.failed': 'The daily breakdown for this model could not be loaded.',
  'drill.tokens': 'Tokens',
  'drill.requests': 'Requests',
  'drill.costUsd': 'Cost (USD)',
  'drill.costPln': 'Cost (PLN)',
  'drill.daysUsed': 'Days used',
  'drill.avgPerRequest': 'Tokens / request',

  'empty.title': 'No usage in this period',
  'empty.body': 'Nothing has been recorded between {start} and {end}. Try a longer range, or check that your webhook is sending usage.',

  'error.title': 'We couldn’t load your usage',
  'error.network': 'The dashboard service could not be reached. Check your connection and try again.',
  'error.server': 'The dashboard service had a problem ({status}). Please try again in a moment.',
  'error.rateLimited': 'Too many requests. Please wait {seconds} s and try again.',
  'error.badRequest': 'The request was not accepted: {message}',
  'error.generic': 'Something went wrong: {message}',

  'org.title': 'Organization data unavailable',
  'org.noToken': 'Open this dashboard from your application, or sign in with a development token below.',
  'org.unauthorized': 'Your session is missing, expired or invalid, so we can’t tell which organization to show. Sign in again to continue.',
  'org.forbidden': 'Your account has no access to an organization’s usage data. Ask an organization admin for access.',
  'org.expired': 'Your token expired on {date}.',

  'login.heading': 'Development sign-in',
  'login.help': 'Paste a token printed by',
  'login.label': 'Access token (JWT)',
  'login.placeholder': 'eyJhbGciOiJIUzI1NiIs…',
  'login.submit': 'Sign in',
  'login.invalid': 'That doesn’t look like a JWT (three dot-separated parts).',

  'common.loading': 'Loading…',
  'common.tokens': 'tokens',
  'common.requests': 'requests',
  'common.updated': 'Updated {time}',
} as const;

export type MessageKey = keyof typeof en;
type Dictionary = Record<MessageKey, string>;

const pl: Dictionary = {
  'app.title': 'Zużycie i koszty LLM',
  'app.subtitle': 'Pomiar zużycia w Twojej organizacji',
  'nav.usageByModel': 'Zużycie wg modelu',
  'nav.sections': 'Sekcje panelu',

  'header.org': 'Organizacja',
  'header.user': 'Użytkownik',
  'header.role.admin': 'Administrator',
  'header.role.member': 'Członek',
  'header.signOut': 'Wyloguj',
  'header.language': 'Język',
  'header.theme.toDark': 'Włącz tryb ciemny',
  'header.theme.toLight': 'Włącz tryb jasny',

  'live.live': 'Na żywo',
  'live.connecting': 'Łączenie…',
  'live.reconnecting': 'Ponowne łączenie…',
  'live.off': 'Aktualizacje na żywo wyłączone',
  'live.liveHint': 'Liczby odświeżają się automatycznie, gdy pojawia się nowe zużycie',
  'live.offHint': 'Użyj przycisku Odśwież, aby zobaczyć nowe zużycie',
  'action.refresh': 'Odśwież',
  'action.retry': 'Spróbuj ponownie',
  'action.close': 'Zamknij',
  'action.downloadCsv': 'Pobierz CSV',
  'action.downloading': 'Przygotowywanie…',
  'action.csvFailed': 'Nie udało się pobrać pliku CSV. Spróbuj ponownie.',

  'range.label': 'Zakres dat',
  'range.this-month': 'Bieżący miesiąc',
  'range.last-month': 'Poprzedni miesiąc',
  'range.last-7-days': 'Ostatnie 7 dni',
  'range.last-30-days': 'Ostatnie 30 dni',
  'range.custom': 'Własny',
  'range.start': 'Data początkowa',
  'range.end': 'Data końcowa',
  'range.apply': 'Zastosuj',
  'range.invalid-date': 'Podaj obie daty.',
  'range.start-after-end': 'Data początkowa nie może być późniejsza niż końcowa.',
  'range.too-long': 'Wybierz zakres nie dłuższy niż 366 dni.',
  'range.timezone': 'Dni według strefy {timezone}',

  'fx.label': 'USD/PLN',
  'fx.source.nbp': 'NBP, tabela A',
  'fx.source.cache': 'NBP (z pamięci podręcznej)',
  'fx.source.fallback': 'Kurs awaryjny',
  'fx.effective': 'z dnia {date}',
  'fx.title': 'Kurs użyty do kwot w PLN: 1 USD = {rate} PLN, {source}, z dnia {date}',

  'summary.heading': 'Podsumowanie miesiąca',
  'summary.avgDailyTokens': 'Śr. tokenów dziennie',
  'summary.avgDailyCost': 'Śr. koszt dzienny',
  'summary.avgUsageDayTokens': '{value} na aktywny dzień',
  'summary.busiestDay': 'Najbardziej aktywny dzień',
  'summary.highestCostDay': 'Dzień najwyższych kosztów',
  'summary.uniqueUsers': 'Unikalni użytkownicy',
  'summary.tokensOn': '{value} tokenów',
  'summary.noData': 'Brak zużycia',
  'summary.failed': 'Podsumowanie miesiąca jest niedostępne.',

  'top.heading': 'Najczęściej używane modele',
  'top.subheading': 'Według tokenów w wybranym okresie',
  'top.empty': 'W tym okresie nie użyto żadnego modelu.',
  'top.share': '{share} tokenów',
  'top.failed': 'Ranking modeli jest niedostępny.',

  'trend.heading': 'Zużycie dzienne',
  'trend.subheading': 'Z podziałem na modele',
  'trend.metric': 'Miara na wykresie',
  'trend.tokens': 'Tokeny',
  'trend.cost': 'Koszt (USD)',
  'trend.empty': 'Brak zużycia do pokazania w tym okresie.',
  'trend.failed': 'Nie udało się wczytać zużycia dziennego.',
  'trend.chartTitle': 'Dzienne {metric} według modelu, {range}',
  'trend.dayTotal': '{date}: łącznie {value}',
  'trend.legend': 'Legenda',
  'trend.periodTotal': '{tokens} tokenów · {cost} w tym okresie',
  'trend.periodTotalTokens': '{tokens} tokenów w tym okresie',

  'table.heading': 'Zużycie według modelu',
  'table.caption': 'Zużycie tokenów i koszt dla każdego modelu, {range}. Wybierz wiersz, aby zobaczyć dane dzienne.',
  'table.model': 'Model',
  'table.provider': 'Dostawca',
  'table.tokens': 'Tokeny łącznie',
  'table.requests': 'Zapytania',
  'table.cost': 'Koszt',
  'table.daysUsed': 'Dni użycia',
  'table.total': 'Razem',
  'table.modelsCount': 'Modele: {count}',
  'table.rowHint': 'Naciśnij Enter, aby zobaczyć dane dzienne',
  'table.unused': 'Nieużywany w tym okresie',
  'table.costsHidden': 'Koszty widzą tylko administratorzy organizacji.',
  'table.costNote': 'Koszty zawierają marżę platformy. Kwoty w PLN wylicza serwer według pokazanego kursu.',

  'drill.heading': 'Dane dzienne',
  'drill.date': 'Data',
  'drill.empty': 'Ten model nie był używany w wybranym okresie.',
  'drill.failed': 'Nie udało się wczytać danych dziennych tego modelu.',
  'drill.tokens': 'Tokeny',
  'drill.requests': 'Zapytania',
  'drill.costUsd': 'Koszt (USD)',
  'drill.costPln': 'Koszt (PLN)',
  'drill.daysUsed': 'Dni użycia',
  'drill.avgPerRequest': 'Tokeny / zapytanie',

  'empty.title': 'Brak zużycia w tym okresie',
  'empty.body': 'Między {start} a {end} nic nie zarejestrowano. Wybierz dłuższy zakres lub sprawdź, czy webhook wysyła dane o zużyciu.',

  'error.title': 'Nie udało się wczytać danych o zużyciu',
  'error.network': 'Brak połączenia z usługą panelu. Sprawdź połączenie i spróbuj ponownie.',
  'error.server': 'Usługa panelu zgłosiła problem ({status}). Spróbuj ponownie za chwilę.',
  'error.rateLimited': 'Zbyt wiele zapytań. Odczekaj {seconds} s i spróbuj ponownie.',
  'error.badRequest': 'Zapytanie zostało odrzucone: {message}',
  'error.generic': 'Coś poszło nie tak: {message}',

  'org.title': 'Dane organizacji są niedostępne',
  'org.noToken': 'Otwórz ten panel ze swojej aplikacji albo zaloguj się tokenem deweloperskim poniżej.',
  'org.unauthorized': 'Brak sesji lub sesja wygasła albo jest nieprawidłowa, więc nie wiemy, którą organizację pokazać. Zaloguj się ponownie.',
  'org.forbidden': 'Twoje konto nie ma dostępu do danych o zużyciu żadnej organizacji. Poproś administratora o dostęp.',
  'org.expired': 'Token wygasł {date}.',

  'login.heading': 'Logowanie deweloperskie',
  'login.help': 'Wklej token wygenerowany poleceniem',
  'login.label': 'Token dostępu (JWT)',
  'login.placeholder': 'eyJhbGciOiJIUzI1NiIs…',
  'login.submit': 'Zaloguj',
  'login.invalid': 'To nie wygląda na JWT (trzy części oddzielone kropkami).',

  'common.loading': 'Wczytywanie…',
  'common.tokens': 'tokeny',
  'common.requests': 'zapytania',
  'common.updated': 'Zaktualizowano {time}',
};

export const DICTIONARIES: Record<Locale, Dictionary> = { en, pl };

/** The message for `key` in `locale`, with `{name}` placeholders filled from `params`. */
export function translate(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = DICTIONARIES[locale][key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The initial language: a saved choice, else the browser's preference (Polish for any `pl*`), else English. */
export function pickLocale(saved: string | null, navigatorLanguages: readonly string[]): Locale {
  if (saved === 'en' || saved === 'pl') return saved;
  for (const lang of navigatorLanguages) {
    const base = lang.toLowerCase().split('-')[0];
    if (base === 'pl') return 'pl';
    if (base === 'en') return 'en';
  }
  return 'en';
}
