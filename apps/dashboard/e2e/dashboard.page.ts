// Page object for the dashboard (playwright-core): what an end-to-end test does on the page, by data-testid only.
import type { Locator, Page } from 'playwright-core';

export type DashboardLocale = 'en' | 'pl';
export type RangePresetName = 'this-month' | 'last-month' | 'last-7-days' | 'last-30-days';

export interface UsageTableRow {
  readonly modelId: string;
  readonly displayName: string;
  readonly provider: string;
  readonly tokens: string;
  readonly requests: string;
  readonly costUsd: string;
  readonly costPln: string;
  readonly daysUsed: string;
  /** The row is shown muted: the model had no usage in the period. */
  readonly zero: boolean;
}

export interface UsageTotalsRow {
  readonly tokens: string;
  readonly requests: string;
  readonly costUsd: string;
  readonly costPln: string;
}

export interface DrillDownRow {
  readonly date: string;
  readonly cells: readonly string[];
}

export interface CsvDownload {
  readonly filename: string;
  readonly content: string;
}

export type DashboardState = 'ready' | 'error' | 'org-unavailable';

const API_PATH = '/api/v1/usage-tracking/my-organization';
/** Intl puts (narrow) no-break spaces in `15 750` and `0,50 zł`; tests compare with plain spaces. */
const normalizeSpaces = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ').trim();

export class DashboardPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  get table(): Locator {
    return this.page.getByTestId('usage-table');
  }

  /** Opens the page with a token in the URL fragment (the page stores it and strips it from the URL). */
  async open(token: string | null, options: { locale?: DashboardLocale; query?: string } = {}): Promise<DashboardState> {
    if (options.locale) {
      const locale = options.locale;
      await this.page.addInitScript((l) => localStorage.setItem('mai-usage.locale', l), locale);
    }
    const query = options.query ? `?${options.query.replace(/^\?/, '')}` : '';
    const hash = token ? `#token=${encodeURIComponent(token)}` : '';
    await this.page.goto(`${this.baseUrl.replace(/\/$/, '')}/${query}${hash}`);
    return this.waitForSettled();
  }

  /** Signs in through the development login form (the page must show the "organization unavailable" card). */
  async signInWithForm(token: string): Promise<DashboardState> {
    await this.page.getByTestId('token-input').fill(token);
    await this.page.getByTestId('token-submit').click();
    return this.waitForSettled();
  }

  /** Waits until the page shows data, an error, or the organization-unavailable card; says which. */
  async waitForSettled(timeoutMs = 15_000): Promise<DashboardState> {
    const handle = await this.page.waitForFunction(
      () => {
        if (document.querySelector('[data-testid="org-unavailable"]')) return 'org-unavailable';
        if (document.querySelector('[data-testid="error-state"]')) return 'error';
        const table = document.querySelector('[data-testid="usage-table"]');
        if (table && table.getAttribute('aria-busy') === 'false' && table.querySelector('[data-testid="usage-totals"]')) return 'ready';
        return false;
      },
      undefined,
      { timeout: timeoutMs },
    );
    return (await handle.jsonValue()) as DashboardState;
  }

  async rows(): Promise<UsageTableRow[]> {
    const rows = this.page.getByTestId('usage-row');
    const count = await rows.count();
    const result: UsageTableRow[] = [];
    for (let i = 0; i < count; i++) {
      const row = rows.nth(i);
      const text = async (id: string) => normalizeSpaces(await row.getByTestId(id).innerText());
      result.push({
        modelId: (await row.getAttribute('data-model')) ?? '',
        displayName: await text('cell-model'),
        provider: await text('cell-provider'),
        tokens: await text('cell-tokens'),
        requests: await text('cell-requests'),
        costUsd: await text('cell-cost-usd'),
        costPln: await text('cell-cost-pln'),
        daysUsed: await text('cell-days'),
        zero: (await row.getAttribute('data-zero')) === 'true',
      });
    }
    return result;
  }

  async totals(): Promise<UsageTotalsRow> {
    const row = this.page.getByTestId('usage-totals');
    const text = async (id: string) => normalizeSpaces(await row.getByTestId(id).innerText());
    return { tokens: await text('total-tokens'), requests: await text('total-requests'), costUsd: await text('total-cost-usd'), costPln: await text('total-cost-pln') };
  }

  async topModels(): Promise<string[]> {
    return this.page.getByTestId('top-model').evaluateAll((items) => items.map((el) => el.getAttribute('data-model') ?? ''));
  }

  /** `{rate, source, date}` as shown in the exchange-rate badge; `date` is null for a fallback rate (it has none). */
  async exchangeRate(): Promise<{ rate: string; source: string; date: string | null }> {
    const badge = this.page.getByTestId('fx-badge');
    const date = badge.getByTestId('fx-date');
    return {
      rate: normalizeSpaces(await badge.getByTestId('fx-rate').innerText()),
      source: normalizeSpaces(await badge.getByTestId('fx-source').innerText()),
      date: (await date.count()) > 0 ? normalizeSpaces(await date.innerText()) : null,
    };
  }

  /** The period shown under the heading, e.g. `Nov 24 – Dec 4, 2026`. */
  async periodLabel(): Promise<string> {
    return normalizeSpaces(await this.page.getByTestId('period-label').innerText());
  }

  /** Waits (without touching the page) until the totals row shows `tokens`, e.g. after a live update. */
  async waitForTotalTokens(tokens: string, timeoutMs = 10_000): Promise<void> {
    await this.page.waitForFunction(
      (expected) => (document.querySelector('[data-testid="total-tokens"]')?.textContent ?? '').replace(/[\u00a0\u202f]/g, ' ').trim() === expected,
      tokens,
      { timeout: timeoutMs },
    );
  }

  /** Clicks Refresh in the page header (reloads the data, not the page). */
  async refresh(): Promise<void> {
    await this.page.getByTestId('refresh-button').click();
  }

  async switchLocale(locale: DashboardLocale): Promise<void> {
    await this.page.getByTestId(`locale-${locale}`).click();
    await this.page.waitForFunction((l) => document.documentElement.lang === l, locale);
  }

  async toggleTheme(): Promise<'light' | 'dark'> {
    await this.page.getByTestId('theme-toggle').click();
    return (await this.page.evaluate(() => document.documentElement.dataset.theme)) as 'light' | 'dark';
  }

  /** Picks a preset, or a custom start/end, and waits for the table to show the new period. */
  async pickRange(range: RangePresetName | { start: string; end: string }): Promise<DashboardState> {
    const answered = this.page.waitForResponse((res) => new URL(res.url()).pathname === `${API_PATH}/usage-by-model`, { timeout: 10_000 });
    if (typeof range === 'string') {
      await this.page.getByTestId(`range-${range}`).click();
    } else {
      await this.page.getByTestId('range-custom').click();
      await this.page.getByTestId('range-start').fill(range.start);
      await this.page.getByTestId('range-end').fill(range.end);
      await this.page.getByTestId('range-apply').click();
    }
    await answered.catch(() => undefined); // the same range again asks for nothing
    return this.waitForSettled();
  }

  /** Opens a model's daily breakdown (by click, or by focusing the row and pressing Enter) and waits for it. */
  async openDrillDown(modelId: string, via: 'click' | 'keyboard' = 'click'): Promise<DrillDownRow[]> {
    const row = this.page.locator(`[data-testid="usage-row"][data-model="${modelId}"]`);
    const dialog = this.page.getByTestId('drilldown');
    if (via === 'keyboard') {
      // A background refetch can re-render the table between focusing a row and the key press, and the key then
      // lands on <body>. Press on the row as it is now, and again (at most twice) if a re-render swallowed it.
      for (let attempt = 0; attempt < 3 && !(await dialog.isVisible()); attempt++) {
        await row.press('Enter');
        await dialog.waitFor({ state: 'visible', timeout: 2_000 }).catch(() => undefined);
      }
    } else {
      await row.click();
    }
    await dialog.waitFor({ state: 'visible' });
    await this.page.waitForFunction(() => {
      const d = document.querySelector('[data-testid="drilldown"]');
      return !!d && (!!d.querySelector('[data-testid="drill-table"]') || !!d.querySelector('[data-testid="drill-empty"]') || !!d.querySelector('[role="alert"]'));
    });
    return this.drillDownRows();
  }

  async drillDownRows(): Promise<DrillDownRow[]> {
    return this.page.getByTestId('drill-row').evaluateAll((rows) =>
      rows.map((row) => ({
        date: row.getAttribute('data-date') ?? '',
        cells: Array.from(row.querySelectorAll('th, td'), (c) => (c.textContent ?? '').replace(/[\u00a0\u202f]/g, ' ').trim()),
      })),
    );
  }

  async closeDrillDown(via: 'escape' | 'button' = 'escape'): Promise<void> {
    if (via === 'escape') await this.page.keyboard.press('Escape');
    else await this.page.getByTestId('drill-close').click();
    await this.page.getByTestId('drilldown').waitFor({ state: 'hidden' });
  }

  /** Clicks "Download CSV" and returns the saved file's name and text. */
  async downloadCsv(): Promise<CsvDownload> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId('csv-download').click()]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
    return { filename: download.suggestedFilename(), content: Buffer.concat(chunks).toString('utf8') };
  }

  async isErrorShown(): Promise<boolean> {
    return this.page.getByTestId('error-state').isVisible();
  }

  async isOrgUnavailableShown(): Promise<boolean> {
    return this.page.getByTestId('org-unavailable').isVisible();
  }

  async isEmptyStateShown(): Promise<boolean> {
    return this.page.getByTestId('empty-state').isVisible();
  }

  /** Waits for the error card (e.g. after the API went away). */
  async waitForErrorState(timeoutMs = 15_000): Promise<void> {
    await this.page.getByTestId('error-state').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** Clicks Retry on the error card and waits for the page to settle again. */
  async clickRetry(): Promise<DashboardState> {
    await this.page.getByTestId('retry-button').click();
    return this.waitForSettled();
  }

  /** `live`, `connecting`, `reconnecting` or `off`. */
  async liveStatus(): Promise<string | null> {
    return this.page.getByTestId('live-status').getAttribute('data-status');
  }

  /** Waits until the live-events stream is connected. */
  async waitForLive(timeoutMs = 15_000): Promise<void> {
    await this.page.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.getAttribute('data-status') === 'live', undefined, { timeout: timeoutMs });
  }
}

/** Convenience: a page object with the dashboard already open for `token`. */
export async function openDashboard(page: Page, baseUrl: string, token: string | null, options?: { locale?: DashboardLocale; query?: string }): Promise<DashboardPage> {
  const dashboard = new DashboardPage(page, baseUrl);
  await dashboard.open(token, options);
  return dashboard;
}
