// NBP rates as pricing-fx keeps them: every table NBP gave us (they never change), when NBP last confirmed the
// current one, and the final booking rate of each day asked about.
import { Pool } from 'pg';
import { CalendarDay, HeldRate, NbpUsdRate, Rate } from '@mai/domain';
import { withTransaction } from './database';

interface RateRow {
  effective_date: string;
  mid: string;
  confirmed_at: Date | null;
}

const RATE_COLUMNS = `to_char(r.effective_date, 'YYYY-MM-DD') AS effective_date, r.mid::text AS mid, r.confirmed_at`;

function toHeldRate(row: RateRow): HeldRate {
  return { effectiveDate: row.effective_date, mid: Rate.of(row.mid), confirmedAt: row.confirmed_at ?? undefined };
}

export class ExchangeRateStore {
  constructor(
    private readonly pool: Pool,
    private readonly currency = 'USD',
  ) {}

  /** The newest table we know of: the last good rate. */
  async latest(): Promise<HeldRate | undefined> {
    const { rows } = await this.pool.query<RateRow>(
      `SELECT ${RATE_COLUMNS} FROM exchange_rates r WHERE currency = $1 ORDER BY effective_date DESC LIMIT 1`,
      [this.currency],
    );
    return rows[0] && toHeldRate(rows[0]);
  }

  /** NBP's current-rate endpoint answered with `rate` at `confirmedAt`. */
  async recordCurrent(rate: NbpUsdRate, confirmedAt: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO exchange_rates AS r (currency, effective_date, mid, confirmed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (currency, effective_date) DO UPDATE SET confirmed_at = GREATEST(r.confirmed_at, EXCLUDED.confirmed_at)`,
      [this.currency, rate.effectiveDate, rate.mid.toString(), confirmedAt],
    );
  }

  /** Tables from a date-range lookup; and, when the answer for `booking.day` is final, that day's booking. */
  async recordTables(rates: readonly NbpUsdRate[], booking?: { day: CalendarDay; effectiveDate: CalendarDay }): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      if (rates.length > 0) {
        await client.query(
          `INSERT INTO exchange_rates (currency, effective_date, mid)
           SELECT $1, d, m FROM unnest($2::date[], $3::numeric[]) AS t(d, m)
           ON CONFLICT DO NOTHING`,
          [this.currency, rates.map((r) => r.effectiveDate), rates.map((r) => r.mid.toString())],
        );
      }
      if (booking) {
        await client.query(
          `INSERT INTO exchange_rate_bookings (currency, booking_day, effective_date) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
          [this.currency, booking.day, booking.effectiveDate],
        );
      }
    });
  }

  /** The recorded, final booking rate of `day`, if it was looked up before. */
  async booked(day: CalendarDay): Promise<NbpUsdRate | undefined> {
    const { rows } = await this.pool.query<RateRow>(
      `SELECT ${RATE_COLUMNS} FROM exchange_rate_bookings b
         JOIN exchange_rates r USING (currency, effective_date)
        WHERE b.currency = $1 AND b.booking_day = $2`,
      [this.currency, day],
    );
    return rows[0] && toHeldRate(rows[0]);
  }

  /** The newest table we know of dated before `day`: the last good rate for a booking lookup NBP can't answer. */
  async latestBefore(day: CalendarDay): Promise<NbpUsdRate | undefined> {
    const { rows } = await this.pool.query<RateRow>(
      `SELECT ${RATE_COLUMNS} FROM exchange_rates r WHERE currency = $1 AND effective_date < $2 ORDER BY effective_date DESC LIMIT 1`,
      [this.currency, day],
    );
    return rows[0] && toHeldRate(rows[0]);
  }
}
