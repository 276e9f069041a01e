// What pricing-fx answers over NATS request/reply. The subjects come from `subjectsFor(config).pricing`.
import type { CatalogModel, MarkupSchedule } from '@mai/domain';

export interface CatalogReply {
  /** Models metered now, in display order. */
  readonly models: readonly CatalogModel[];
}

export interface MarkupReply {
  readonly schedule: MarkupSchedule;
}

export type FxSource = 'nbp' | 'cache' | 'fallback';

export interface UsdPlnReply {
  /** Decimal string, e.g. "3.6521". */
  readonly usdPln: string;
  readonly source: FxSource;
  /** NBP's effective date of the table the rate comes from; null for the configured fallback. */
  readonly effectiveDate: string | null;
}

export interface UsdPlnForDayRequest {
  /** The day whose booking rate is wanted (YYYY-MM-DD): the last NBP table A published before it. */
  readonly day: string;
}
