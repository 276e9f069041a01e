// Fixed facts about calendar days in time zones (IANA rules as of 2026): [instant, zone, the local day]. They pin
// the day function at DST switches (23- and 25-hour days, a wall-clock hour that happens twice), month, year
// and leap-day ends, and at offsets that are not whole hours.
export const DAY_BOUNDARY_FACTS: readonly (readonly [string, string, string])[] = [
  // Europe/Warsaw springs forward on 2026-03-29 at 01:00Z (02:00 CET → 03:00 CEST): a 23-hour day.
  ['2026-03-28T22:59:59.999Z', 'Europe/Warsaw', '2026-03-28'],
  ['2026-03-28T23:00:00.000Z', 'Europe/Warsaw', '2026-03-29'],
  ['2026-03-29T00:59:59.999Z', 'Europe/Warsaw', '2026-03-29'],
  ['2026-03-29T01:00:00.000Z', 'Europe/Warsaw', '2026-03-29'],
  ['2026-03-29T21:59:59.999Z', 'Europe/Warsaw', '2026-03-29'],
  ['2026-03-29T22:00:00.000Z', 'Europe/Warsaw', '2026-03-30'],
  // …and falls back on 2026-10-25 at 01:00Z (03:00 CEST → 02:00 CET): a 25-hour day, 02:30 happens twice.
  ['2026-10-24T21:59:59.999Z', 'Europe/Warsaw', '2026-10-24'],
  ['2026-10-24T22:00:00.000Z', 'Europe/Warsaw', '2026-10-25'],
  ['2026-10-25T00:30:00.000Z', 'Europe/Warsaw', '2026-10-25'],
  ['2026-10-25T01:30:00.000Z', 'Europe/Warsaw', '2026-10-25'],
  ['2026-10-25T22:59:59.999Z', 'Europe/Warsaw', '2026-10-25'],
  ['2026-10-25T23:00:00.000Z', 'Europe/Warsaw', '2026-10-26'],
  // America/New_York falls back on 2026-11-01 at 06:00Z: 01:30 EDT and 01:30 EST are both that day.
  ['2026-11-01T03:59:59.999Z', 'America/New_York', '2026-10-31'],
  ['2026-11-01T04:00:00.000Z', 'America/New_York', '2026-11-01'],
  ['2026-11-01T05:30:00.000Z', 'America/New_York', '2026-11-01'],
  ['2026-11-01T06:30:00.000Z', 'America/New_York', '2026-11-01'],
  ['2026-11-02T04:59:59.999Z', 'America/New_York', '2026-11-01'],
  ['2026-11-02T05:00:00.000Z', 'America/New_York', '2026-11-02'],
  // Australia/Sydney springs forward on 2026-10-04 (southern spring): 2026-10-04 runs 14:00Z → 13:00Z.
  ['2026-10-03T13:59:59.999Z', 'Australia/Sydney', '2026-10-03'],
  ['2026-10-03T14:00:00.000Z', 'Australia/Sydney', '2026-10-04'],
  ['2026-10-04T12:59:59.999Z', 'Australia/Sydney', '2026-10-04'],
  ['2026-10-04T13:00:00.000Z', 'Australia/Sydney', '2026-10-05'],
  // Month, year and leap-day ends.
  ['2026-02-28T22:59:59.999Z', 'Europe/Warsaw', '2026-02-28'],
  ['2026-02-28T23:00:00.000Z', 'Europe/Warsaw', '2026-03-01'],
  ['2026-04-30T21:59:59.999Z', 'Europe/Warsaw', '2026-04-30'],
  ['2026-04-30T22:00:00.000Z', 'Europe/Warsaw', '2026-05-01'],
  ['2028-02-28T23:00:00.000Z', 'Europe/Warsaw', '2028-02-29'],
  ['2028-02-29T22:59:59.999Z', 'Europe/Warsaw', '2028-02-29'],
  ['2028-02-29T23:00:00.000Z', 'Europe/Warsaw', '2028-03-01'],
  ['2026-12-31T23:59:59.999Z', 'UTC', '2026-12-31'],
  ['2027-01-01T00:00:00.000Z', 'UTC', '2027-01-01'],
  ['2026-12-31T09:59:59.999Z', 'Pacific/Kiritimati', '2026-12-31'],
  ['2026-12-31T10:00:00.000Z', 'Pacific/Kiritimati', '2027-01-01'],
  ['2027-01-01T10:59:59.999Z', 'Pacific/Pago_Pago', '2026-12-31'],
  ['2027-01-01T11:00:00.000Z', 'Pacific/Pago_Pago', '2027-01-01'],
  // Offsets that are not whole hours: +05:30, +05:45, +13:45 (Chatham in its summer).
  ['2026-12-04T18:29:59.999Z', 'Asia/Kolkata', '2026-12-04'],
  ['2026-12-04T18:30:00.000Z', 'Asia/Kolkata', '2026-12-05'],
  ['2026-12-04T18:14:59.999Z', 'Asia/Kathmandu', '2026-12-04'],
  ['2026-12-04T18:15:00.000Z', 'Asia/Kathmandu', '2026-12-05'],
  ['2026-12-04T10:14:59.999Z', 'Pacific/Chatham', '2026-12-04'],
  ['2026-12-04T10:15:00.000Z', 'Pacific/Chatham', '2026-12-05'],
];
