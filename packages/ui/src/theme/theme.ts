/**
 * The colour theme: dark unless the system asks for light on a first visit; the user's choice is remembered in
 * localStorage under `praktor-theme`.
 */

export type Theme = 'dark' | 'light';

export const THEME_KEY = 'praktor-theme';

/** The remembered choice, else what the system prefers. */
export function initialTheme(): Theme {
  const stored = localStorage.getItem(THEME_KEY);
  if (stored === 'dark' || stored === 'light') return stored;
  return window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

/** Shows `theme` (the stylesheet keys its colours on `data-theme`). */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
}

/** The theme on screen now. */
export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'light' ? 'light' : 'dark';
}

/** Shows and remembers `theme`. */
export function chooseTheme(theme: Theme): void {
  applyTheme(theme);
  localStorage.setItem(THEME_KEY, theme);
}
