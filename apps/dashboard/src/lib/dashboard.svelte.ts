// The page's state: the token, the chosen range, and what each API call last answered. Components read it;
// only the methods here change it.
import {
  ApiError,
  DashboardApi,
  type DailyModelUsage,
  type ModelUsage,
  type MonthlySummary,
  type TopModel,
  type UsageByModel,
} from './api';
import {
  detectPreset,
  isIsoDate,
  presetRange,
  summaryMonthFor,
  todayInZone,
  validateRange,
  type DateRange,
  type RangeChoice,
  type RangePreset,
} from './dateRange';
import { subscribeToUsageEvents, type LiveStatus } from './live';
import {
  decodeClaims,
  isExpired,
  READY_MESSAGE_TYPE,
  takeTokenFromHash,
  TOKEN_STORAGE_KEY,
  tokenFromMessage,
  type TokenClaims,
} from './token';

export interface Loadable<T> {
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
  readonly data: T | null;
  readonly error: ApiError | null;
}

const idle = <T>(): Loadable<T> => ({ status: 'idle', data: null, error: null });
const TIMEZONE_STORAGE_KEY = 'mai-usage.timezone';
/** Coalesce bursts of `usage` events into one refresh… */
const LIVE_DEBOUNCE_MS = 800;
/** …and refresh at most this often: one refresh is four API calls, and the API allows 100 a minute per user. */
const LIVE_MIN_INTERVAL_MS = 5_000;

function session(): Storage | null {
  try {
    return sessionStorage;
  } catch {
    return null;
  }
}

function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError('network', err instanceof Error ? err.message : String(err));
}

export type OrgProblem = 'no-token' | 'unauthorized' | 'forbidden' | 'expired';

class Dashboard {
  token = $state<string | null>(null);
  readonly claims: TokenClaims | null = $derived(this.token ? decodeClaims(this.token) : null);
  readonly role = $derived(this.claims?.role ?? null);

  /** The org's time zone, learned from the API's `period.timezone`; the browser's until then. */
  timezone = $state(browserTimeZone());
  choice = $state<RangeChoice>('this-month');
  range = $state<DateRange>(presetRange('this-month', todayInZone(new Date(), browserTimeZone())));

  usage = $state.raw<Loadable<UsageByModel>>(idle());
  top = $state.raw<Loadable<readonly TopModel[]>>(idle());
  summary = $state.raw<Loadable<MonthlySummary>>(idle());
  daily = $state.raw<Loadable<readonly DailyModelUsage[]>>(idle());

  drillModel = $state.raw<ModelUsage | null>(null);
  drill = $state.raw<Loadable<readonly DailyModelUsage[]>>(idle());

  live = $state<LiveStatus>('off');
  lastUpdated = $state.raw<Date | null>(null);
  csvBusy = $state(false);
  csvFailed = $state(false);

  /** Today in the org's zone; a getter, not a derived value, so a page left open past midnight moves on. */
  get today(): string {
    return todayInZone(new Date(), this.timezone);
  }
  readonly summaryMonth = $derived(summaryMonthFor(this.range));

  /** Why the page cannot show an organization's data, if it cannot. */
  readonly orgProblem: OrgProblem | null = $derived.by(() => {
    if (!this.token) return 'no-token';
    if (this.claims && isExpired(this.claims, Date.now())) return 'expired';
    for (const l of [this.usage, this.top, this.summary, this.daily]) {
      if (l.error?.kind === 'unauthorized') return 'unauthorized';
      if (l.error?.kind === 'forbidden') return 'forbidden';
    }
    return null;
  });

  readonly isEmpty = $derived(
    this.usage.status === 'ready' && !!this.usage.data && this.usage.data.totals.total_tokens === 0 && this.usage.data.totals.total_requests === 0,
  );

  private generation = 0;
  private controller: AbortController | null = null;
  private drillController: AbortController | null = null;
  private stopLive: (() => void) | null = null;
  private liveTimer: ReturnType<typeof setTimeout> | undefined;
  private lastLiveRefresh = 0;
  private refreshWhenVisible = false;

  private get api(): DashboardApi {
    return new DashboardApi(this.token);
  }

  /** Reads the token (fragment, then session) and the range (query string); listens for a host's token. */
  init(): () => void {
    const store = session();
    const fromHash = takeTokenFromHash(location.hash);
    if (fromHash.token) {
      store?.setItem(TOKEN_STORAGE_KEY, fromHash.token);
      // Keep the token out of the address bar, history and anything copied from it.
      history.replaceState(history.state, '', `${location.pathname}${location.search}${fromHash.rest}`);
    }
    const savedTz = store?.getItem(TIMEZONE_STORAGE_KEY);
    if (savedTz) this.timezone = savedTz;
    this.readRangeFromUrl();

    const onMessage = (event: MessageEvent) => {
      // Only the embedding (or opening) window may hand us a token.
      const fromHost = (window.parent !== window && event.source === window.parent) || (window.opener && event.source === window.opener);
      if (!fromHost) return;
      const token = tokenFromMessage(event.data);
      if (token) this.setToken(token);
    };
    window.addEventListener('message', onMessage);
    const onVisibility = () => {
      if (!document.hidden && this.refreshWhenVisible) {
        this.refreshWhenVisible = false;
        this.scheduleLiveRefresh();
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    if (window.parent !== window) window.parent.postMessage({ type: READY_MESSAGE_TYPE }, '*');
    if (window.opener) (window.opener as Window).postMessage({ type: READY_MESSAGE_TYPE }, '*');

    this.setToken(fromHash.token ?? store?.getItem(TOKEN_STORAGE_KEY) ?? null, false);

    return () => {
      window.removeEventListener('message', onMessage);
      document.removeEventListener('visibilitychange', onVisibility);
      this.controller?.abort();
      this.drillController?.abort();
      this.stopLiveUpdates();
    };
  }

  setToken(token: string | null, persist = true): void {
    const store = session();
    if (persist) {
      if (token) store?.setItem(TOKEN_STORAGE_KEY, token);
      else store?.removeItem(TOKEN_STORAGE_KEY);
    }
    if (token === this.token && token !== null) return;
    const previous = this.claims;
    const next = token ? decodeClaims(token) : null;
    if (token && previous && next && previous.org === next.org && previous.sub === next.sub && this.usage.status === 'ready') {
      // A host refreshing the same user's token: keep the numbers on screen and reload quietly.
      this.token = token;
      this.stopLiveUpdates();
      if (this.orgProblem) return;
      void this.loadAll({ silent: true });
      this.startLiveUpdates();
      return;
    }
    this.token = token;
    this.stopLiveUpdates();
    this.usage = idle();
    this.top = idle();
    this.summary = idle();
    this.daily = idle();
    this.closeDrill();
    if (!token || this.orgProblem) return;
    void this.loadAll();
    this.startLiveUpdates();
  }

  signOut(): void {
    this.setToken(null);
  }

  selectPreset(preset: RangePreset): void {
    this.choice = preset;
    this.applyRange(presetRange(preset, this.today));
  }

  selectCustom(range: DateRange): boolean {
    if (validateRange(range)) return false;
    this.choice = detectPreset(range, this.today);
    this.applyRange(range);
    return true;
  }

  private applyRange(range: DateRange): void {
    const changed = range.start !== this.range.start || range.end !== this.range.end;
    this.range = range;
    this.writeRangeToUrl();
    if (changed || this.usage.status === 'error') void this.loadAll();
  }

  /** Fetches the breakdown, top models, monthly summary and daily rows for the current range. */
  async loadAll(options: { silent?: boolean } = {}): Promise<void> {
    if (!this.token) return;
    const generation = ++this.generation;
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    const { signal } = controller;
    const api = this.api;
    const range = this.range;
    const month = this.summaryMonth;
    const current = () => generation === this.generation;

    const run = async <T>(
      fn: () => Promise<T>,
      get: () => Loadable<T>,
      set: (l: Loadable<T>) => void,
    ): Promise<T | null> => {
      if (!options.silent || get().status !== 'ready') set({ status: 'loading', data: options.silent ? get().data : null, error: null });
      try {
        const data = await fn();
        if (current()) set({ status: 'ready', data, error: null });
        return data;
      } catch (err) {
        const error = toApiError(err);
        if (error.kind === 'aborted' || !current()) return null;
        // A failed background refresh keeps the numbers on screen unless the session itself is gone.
        if (options.silent && get().status === 'ready' && !error.orgUnavailable) return null;
        set({ status: 'error', data: null, error });
        return null;
      }
    };

    const [usage] = await Promise.all([
      run(() => api.usageByModel(range, signal), () => this.usage, (l) => (this.usage = l)),
      run(async () => (await api.topModels(range, signal)).top_models, () => this.top, (l) => (this.top = l)),
      run(() => api.monthlySummary(month, signal), () => this.summary, (l) => (this.summary = l)),
      run(async () => (await api.dailyUsage(range, undefined, signal)).daily_usage, () => this.daily, (l) => (this.daily = l)),
      this.drillModel ? this.loadDrill(options.silent) : Promise.resolve(),
    ]);
    if (!current()) return;
    if (usage) {
      this.lastUpdated = new Date();
      this.adoptTimezone(usage.period.timezone);
    }
  }

  /** Presets are calendar days in the org's zone: once the API names the zone, recompute and reload if needed. */
  private adoptTimezone(timezone: string): void {
    if (!timezone || timezone === this.timezone) return;
    this.timezone = timezone;
    session()?.setItem(TIMEZONE_STORAGE_KEY, timezone);
    if (this.choice !== 'custom') this.applyRange(presetRange(this.choice, this.today));
  }

  retry(): void {
    void this.loadAll();
  }

  openDrill(model: ModelUsage): void {
    this.drillModel = model;
    void this.loadDrill();
  }

  closeDrill(): void {
    this.drillController?.abort();
    this.drillModel = null;
    this.drill = idle();
  }

  async loadDrill(silent = false): Promise<void> {
    const model = this.drillModel;
    if (!model || !this.token) return;
    this.drillController?.abort();
    const controller = (this.drillController = new AbortController());
    if (!silent || this.drill.status !== 'ready') this.drill = { status: 'loading', data: null, error: null };
    try {
      const { daily_usage } = await this.api.dailyUsage(this.range, model.model_name, controller.signal);
      if (this.drillModel?.model_name !== model.model_name || controller.signal.aborted) return;
      this.drill = { status: 'ready', data: daily_usage, error: null };
      // Keep the panel's header figures in step with a refreshed table.
      const fresh = this.usage.data?.model_usage.find((m) => m.model_name === model.model_name);
      if (fresh) this.drillModel = fresh;
    } catch (err) {
      const error = toApiError(err);
      if (error.kind === 'aborted' || controller.signal.aborted) return;
      if (silent && this.drill.status === 'ready') return;
      this.drill = { status: 'error', data: null, error };
    }
  }

  /** Fetches the CSV with the bearer token and hands it to the browser as a download. */
  async downloadCsv(): Promise<void> {
    if (this.csvBusy) return;
    this.csvBusy = true;
    this.csvFailed = false;
    try {
      const file = await this.api.usageCsv(this.range);
      const url = URL.createObjectURL(file.blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = file.filename;
      a.rel = 'noopener';
      a.style.display = 'none';
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 30_000);
    } catch {
      this.csvFailed = true;
    } finally {
      this.csvBusy = false;
    }
  }

  private startLiveUpdates(): void {
    if (!this.token) return;
    this.stopLive = subscribeToUsageEvents({
      token: this.token,
      onStatus: (status) => {
        // Events may have been missed while the stream was down: catch up once it is back.
        if (status === 'live' && this.live === 'reconnecting') this.scheduleLiveRefresh();
        this.live = status;
      },
      onUsage: () => this.scheduleLiveRefresh(),
    });
  }

  /** One quiet refresh for a burst of `usage` events, no sooner than the minimum interval, never in a hidden tab. */
  private scheduleLiveRefresh(): void {
    if (this.liveTimer !== undefined) return; // one is already on its way and will see these changes too
    const wait = Math.max(LIVE_DEBOUNCE_MS, this.lastLiveRefresh + LIVE_MIN_INTERVAL_MS - Date.now());
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      if (document.hidden) {
        this.refreshWhenVisible = true;
        return;
      }
      this.lastLiveRefresh = Date.now();
      void this.loadAll({ silent: true });
    }, wait);
  }

  private stopLiveUpdates(): void {
    clearTimeout(this.liveTimer);
    this.liveTimer = undefined;
    this.refreshWhenVisible = false;
    this.stopLive?.();
    this.stopLive = null;
    this.live = 'off';
  }

  private readRangeFromUrl(): void {
    const params = new URLSearchParams(location.search);
    const preset = params.get('range');
    const start = params.get('start');
    const end = params.get('end');
    if (start && end && isIsoDate(start) && isIsoDate(end) && !validateRange({ start, end })) {
      this.range = { start, end };
      this.choice = detectPreset(this.range, this.today);
    } else if (preset === 'this-month' || preset === 'last-month' || preset === 'last-7-days' || preset === 'last-30-days') {
      this.choice = preset;
      this.range = presetRange(preset, this.today);
    } else {
      this.range = presetRange('this-month', this.today);
    }
  }

  /** Presets are kept by name (so a bookmark means "last 7 days", not fixed dates); custom ranges by dates. */
  private writeRangeToUrl(): void {
    const params = new URLSearchParams(location.search);
    params.delete('range');
    params.delete('start');
    params.delete('end');
    if (this.choice === 'custom') {
      params.set('start', this.range.start);
      params.set('end', this.range.end);
    } else if (this.choice !== 'this-month') {
      params.set('range', this.choice);
    }
    const q = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${q ? `?${q}` : ''}${location.hash}`);
  }
}

export const dashboard = new Dashboard();
