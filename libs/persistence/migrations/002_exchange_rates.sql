-- USD mid rates from NBP table A (contract §7), owned by pricing-fx. Published rates never change, so every
-- rate NBP gave us is kept: the last good one survives restarts, and booking lookups ask NBP only once.
CREATE TABLE exchange_rates (
  currency         text    NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  effective_date   date    NOT NULL,
  mid              numeric NOT NULL CHECK (mid > 0),
  first_fetched_at timestamptz NOT NULL DEFAULT now(),
  -- The last time NBP's current-rate endpoint answered with this table; the 4 h cache runs from here.
  -- Null for tables seen only in a date-range lookup.
  confirmed_at     timestamptz,
  PRIMARY KEY (currency, effective_date)
);

-- The booking rate of a day (the last table before it), recorded once the answer is final.
CREATE TABLE exchange_rate_bookings (
  currency       text NOT NULL,
  booking_day    date NOT NULL,
  effective_date date NOT NULL,
  PRIMARY KEY (currency, booking_day),
  FOREIGN KEY (currency, effective_date) REFERENCES exchange_rates (currency, effective_date),
  CHECK (effective_date < booking_day)
);
