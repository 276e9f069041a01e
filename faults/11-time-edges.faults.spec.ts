// Scenario 11: time edges. Events must be inside the acceptance window relative to now, so the edges are built
// from the current date in each org's zone: yesterday's 23:59:59.999 and today's 00:00 local, the last instant
// of last month and the first of this one, in zones from UTC−11 to UTC+14 and with half-hour offsets; the days
// around a DST switch when one happened in the last 34 days (otherwise the switch is checked on the pure day
// functions only, which also cover fixed DST, month-end and leap-day facts); 35-day-old and 6-minute-future
// events are refused, their neighbours inside the window accepted. The projection and the dashboard API must
// put every accepted event on the expected day.
import { dayInZone, occurrenceWindowIssue } from '@mai/domain';
import { Pipeline, generation, sendWebhook, startPipeline } from '@mai/testing';
import { scenario } from './support/scenario';
import { DAY_BOUNDARY_FACTS } from './support/time-facts';
import { API, call, hs256Token } from './support/tokens';

const DAY_MS = 86_400_000;
const DST_CANDIDATES = [
  'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Havana', 'America/Santiago',
  'Europe/Warsaw', 'Europe/London', 'Africa/Cairo', 'Asia/Beirut', 'Australia/Sydney', 'Australia/Adelaide', 'Australia/Lord_Howe',
  'Pacific/Auckland', 'Pacific/Chatham',
];

/** The zone's UTC offset at an instant, in minutes, read from Intl's "GMT+05:45" form (independent of dayInZone). */
function offsetMinutes(instant: Date, zone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(instant).find((p) => p.type === 'timeZoneName')!.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

/** The wall-clock date of an instant in a zone, by offset arithmetic. */
function localDate(instant: Date, zone: string): string {
  return new Date(instant.getTime() + offsetMinutes(instant, zone) * 60_000).toISOString().slice(0, 10);
}

/** The first instant of a local day (local midnight; none of the zones used switches DST at midnight). */
function startOfLocalDay(day: string, zone: string): Date {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  let instant = midnightUtc;
  for (let i = 0; i < 3; i++) instant = midnightUtc - offsetMinutes(new Date(instant), zone) * 60_000;
  return new Date(instant);
}

const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** An RFC 3339 timestamp in the zone's own offset, e.g. 2026-12-03T23:59:59.999+01:00. */
function localTimestamp(instant: Date, zone: string): string {
  const offset = offsetMinutes(instant, zone);
  const wall = new Date(instant.getTime() + offset * 60_000).toISOString().slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The most recent DST switch among the candidates within `withinMs`, if any. */
function recentDstSwitch(now: number, withinMs: number): { zone: string; at: Date } | undefined {
  let best: { zone: string; at: Date } | undefined;
  for (const zone of DST_CANDIDATES) {
    for (let t = now - withinMs; t < now - 3_600_000; t += 3_600_000) {
      if (offsetMinutes(new Date(t), zone) === offsetMinutes(new Date(t + 3_600_000), zone)) continue;
      // Narrow the switch down to the millisecond.
      let [low, high] = [t, t + 3_600_000];
      while (high - low > 1) {
        const mid = Math.floor((low + high) / 2);
        if (offsetMinutes(new Date(mid), zone) === offsetMinutes(new Date(low), zone)) low = mid;
        else high = mid;
      }
      if (!best || high > best.at.getTime()) best = { zone, at: new Date(high) };
    }
  }
  return best;
}

interface EdgeEvent {
  readonly org: string;
  readonly zone: string;
  readonly what: string;
  readonly at: Date;
  /** The day the event belongs to, or 'refused'. */
  readonly expected: string;
  readonly createdAt: string;
}

describe('faults: time edges', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator', 'gateway']);
  });
  afterAll(() => pipeline?.stop());

  scenario('11', 'time edges: midnight, month end, DST, the acceptance window', async (row) => {
    // The pure day function against fixed facts (DST days of 23 and 25 hours, month and year ends, a leap day,
    // half-hour and 45-minute offsets) and the window's exact bounds.
    const wrongFacts = DAY_BOUNDARY_FACTS.filter(([instant, zone, day]) => dayInZone(new Date(instant), zone) !== day);
    expect(wrongFacts).toEqual([]);
    const reference = new Date('2026-12-04T12:00:00.000Z');
    expect(occurrenceWindowIssue(new Date(reference.getTime() - 35 * DAY_MS), reference)).toBeUndefined();
    expect(occurrenceWindowIssue(new Date(reference.getTime() - 35 * DAY_MS - 1), reference)).toMatch(/35 days/);
    expect(occurrenceWindowIssue(new Date(reference.getTime() + 5 * 60_000), reference)).toBeUndefined();
    expect(occurrenceWindowIssue(new Date(reference.getTime() + 5 * 60_000 + 1), reference)).toMatch(/future/);

    const now = Date.now();
    const events: EdgeEvent[] = [];
    const orgs: Record<string, string> = { 'tz-warsaw': 'Europe/Warsaw', 'tz-utc': 'UTC', 'tz-kiritimati': 'Pacific/Kiritimati', 'tz-pago-pago': 'Pacific/Pago_Pago', 'tz-kathmandu': 'Asia/Kathmandu' };
    const dst = recentDstSwitch(now, 34 * DAY_MS);
    if (dst) orgs['tz-dst'] = dst.zone;
    const add = (org: string, what: string, at: Date, expected?: string) => {
      const zone = orgs[org];
      const inWindow = now - at.getTime() <= 35 * DAY_MS - 60_000 && at.getTime() - now <= 4 * 60_000;
      events.push({ org, zone, what, at, expected: expected ?? (inWindow ? localDate(at, zone) : 'refused'), createdAt: events.length % 2 ? at.toISOString() : localTimestamp(at, zone) });
    };
    for (const [org, zone] of Object.entries(orgs)) {
      const today = localDate(new Date(now), zone);
      const midnight = startOfLocalDay(today, zone);
      add(org, "yesterday's 23:59:59.999", new Date(midnight.getTime() - 1), addDays(today, -1));
      add(org, "today's 00:00", midnight, today);
      const firstOfMonth = `${today.slice(0, 7)}-01`;
      const monthStart = startOfLocalDay(firstOfMonth, zone);
      add(org, "last month's last instant", new Date(monthStart.getTime() - 1), addDays(firstOfMonth, -1));
      add(org, "this month's first instant", monthStart, firstOfMonth);
    }
    add('tz-warsaw', '34 days 23 hours old', new Date(now - 35 * DAY_MS + 3_600_000));
    add('tz-warsaw', '35 days and 1 minute old', new Date(now - 35 * DAY_MS - 60_000), 'refused');
    add('tz-warsaw', '4 minutes ahead', new Date(now + 4 * 60_000));
    add('tz-warsaw', '6 minutes ahead', new Date(now + 6 * 60_000), 'refused');
    if (dst) {
      const day = localDate(dst.at, dst.zone);
      const start = startOfLocalDay(day, dst.zone);
      const end = startOfLocalDay(addDays(day, 1), dst.zone);
      const candidates: [string, Date, string][] = [
        ['the DST day starts − 1 ms', new Date(start.getTime() - 1), addDays(day, -1)],
        ['the DST day starts', start, day],
        ['1 ms before the switch', new Date(dst.at.getTime() - 1), day],
        ['the switch', dst.at, day],
        ['the DST day ends − 1 ms', new Date(end.getTime() - 1), day],
        ['the day after the DST day', end, addDays(day, 1)],
      ];
      for (const [what, at, expected] of candidates) {
        if (now - at.getTime() < 35 * DAY_MS - 60_000 && at.getTime() < now - 60_000) add('tz-dst', `${dst.zone} ${what}`, at, expected);
      }
    }

    // Send each event as its own generation, with its own token count, so each day's sum says which landed there.
    const tokensOf = (i: number) => 1_000 + i;
    const secrets: Record<string, string> = {};
    for (const [org, zone] of Object.entries(orgs)) secrets[org] = await pipeline.createOrg(org, zone);
    const answers: number[] = [];
    for (const [i, event] of events.entries()) {
      const record = generation({ id: `edge-${i}`, model: 'openai/gpt-4.1', total_cost: '0.001', native_tokens_prompt: tokensOf(i), native_tokens_completion: 0, created_at: event.createdAt });
      answers.push((await sendWebhook(pipeline.ingestUrl, event.org, secrets[event.org], `edge-${i}`, record)).status);
    }
    const accepted = events.filter((e) => e.expected !== 'refused');
    // Bounded waits; a shortfall shows up below, event by event.
    for (const org of Object.keys(orgs)) await pipeline.waitForRequests(org, accepted.filter((e) => e.org === org).length, 15_000).catch(() => undefined);

    const misplaced: string[] = [];
    for (const org of Object.keys(orgs)) {
      const expectedDays = new Map<string, number>();
      for (const [i, event] of events.entries()) if (event.org === org && event.expected !== 'refused') expectedDays.set(event.expected, (expectedDays.get(event.expected) ?? 0) + tokensOf(i));
      const foundDays = new Map((await pipeline.projection(org)).map((r) => [r.usage_day, r.prompt_tokens]));
      for (const [day, tokens] of expectedDays) if (foundDays.get(day) !== tokens) misplaced.push(`${org} ${day}: expected ${tokens} tokens, found ${foundDays.get(day) ?? 0}`);
      for (const day of foundDays.keys()) if (!expectedDays.has(day)) misplaced.push(`${org} ${day}: unexpected usage`);
    }
    events.forEach((event, i) => {
      const expectedStatus = event.expected === 'refused' ? 400 : 202;
      if (answers[i] !== expectedStatus) misplaced.push(`${event.org} ${event.what} (${event.createdAt}): answered ${answers[i]}, expected ${expectedStatus}`);
    });

    // The dashboard API sees the same days: the daily drill-down and last month's summary, in Warsaw.
    const warsaw = events.filter((e) => e.org === 'tz-warsaw' && e.expected !== 'refused');
    const token = await hs256Token({ org: 'tz-warsaw' });
    const first = warsaw.map((e) => e.expected).sort()[0];
    const daily = await call(pipeline.services.gateway!.url, `${API}/usage-by-model/daily?start=${first}&end=${addDays(localDate(new Date(now), 'Europe/Warsaw'), 1)}`, token);
    const apiDays = [...new Set(daily.body.daily_usage.map((d: { date: string }) => d.date))].sort();
    expect(apiDays).toEqual([...new Set(warsaw.map((e) => e.expected))].sort());
    const lastMonth = addDays(`${localDate(new Date(now), 'Europe/Warsaw').slice(0, 7)}-01`, -1);
    const summary = await call(pipeline.services.gateway!.url, `${API}/monthly-summary?month=${lastMonth.slice(0, 7)}`, token);
    expect(summary.body.period.end).toBe(lastMonth);
    expect(summary.body.days_with_usage).toBe(new Set(warsaw.filter((e) => e.expected.startsWith(lastMonth.slice(0, 7))).map((e) => e.expected)).size);

    const refused = events.filter((e) => e.expected === 'refused');
    Object.assign(row, {
      done: `${events.length} events in ${Object.keys(orgs).length} org zones (${Object.values(orgs).join(', ')}): yesterday 23:59:59.999 / today 00:00 local, last month's last instant / this month's first, 34 d 23 h old and 4 min ahead (accepted), 35 d 1 min old and 6 min ahead (refused 400); ${dst ? `DST switch ${dst.zone} at ${dst.at.toISOString()} (local day of ${Math.round((startOfLocalDay(addDays(localDate(dst.at, dst.zone), 1), dst.zone).getTime() - startOfLocalDay(localDate(dst.at, dst.zone), dst.zone).getTime()) / 3_600_000)} h)` : 'no DST switch in the last 34 days in any candidate zone: DST checked on the day function only'}; ${DAY_BOUNDARY_FACTS.length} fixed day-boundary facts (DST 23/25 h days, month/year ends, 2028-02-29, +5:30/+5:45/+13:45) on the day function; ${misplaced.length === 0 ? 'every event on its expected day, in the projection and the dashboard API' : `${misplaced.length} misplaced`}`,
      sent: events.length,
      expected: accepted.length,
      found: (await Promise.all(Object.keys(orgs).map(async (org) => (await pipeline.projection(org)).reduce((s, r) => s + r.requests, 0)))).reduce((a, b) => a + b, 0),
      duplicates: 0,
    });
    expect(misplaced).toEqual([]);
    expect(refused.length).toBe(2);
    expect(row.found).toBe(accepted.length);
  });
});
