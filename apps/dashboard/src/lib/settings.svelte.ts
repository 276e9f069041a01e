// The reader's preferences: language and color theme, persisted in localStorage.
import type { Locale } from './format';
import { pickLocale, translate, type MessageKey } from './i18n';

export const LOCALE_STORAGE_KEY = 'mai-usage.locale';
export const THEME_STORAGE_KEY = 'mai-usage.theme';

export type Theme = 'light' | 'dark';

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled (privacy mode, sandboxed iframe)
  }
}

function writeStorage(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* the choice just won't survive a reload */
  }
}

class Settings {
  locale = $state<Locale>('en');
  /** An explicit choice; null follows `prefers-color-scheme`. */
  themeChoice = $state<Theme | null>(null);
  systemDark = $state(false);

  readonly theme: Theme = $derived(this.themeChoice ?? (this.systemDark ? 'dark' : 'light'));

  /** Translate in the current language; reading `locale` here makes every caller re-render on a switch. */
  t = (key: MessageKey, params?: Record<string, string | number>): string => translate(this.locale, key, params);

  init(): () => void {
    this.locale = pickLocale(readStorage(LOCALE_STORAGE_KEY), navigator.languages?.length ? navigator.languages : [navigator.language]);
    const savedTheme = readStorage(THEME_STORAGE_KEY);
    this.themeChoice = savedTheme === 'light' || savedTheme === 'dark' ? savedTheme : null;
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    this.systemDark = media.matches;
    const onChange = (e: MediaQueryListEvent) => (this.systemDark = e.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }

  setLocale(locale: Locale): void {
    this.locale = locale;
    writeStorage(LOCALE_STORAGE_KEY, locale);
  }

  toggleTheme(): void {
    this.themeChoice = this.theme === 'dark' ? 'light' : 'dark';
    writeStorage(THEME_STORAGE_KEY, this.themeChoice);
  }
}

export const settings = new Settings();
