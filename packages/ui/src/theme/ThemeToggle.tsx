import { useState } from 'react';
import { Icon } from '../components/Icon';
import { chooseTheme, currentTheme } from './theme';

/** Switches between the dark and the light theme, and remembers the choice. */
export function ThemeToggle() {
  const [theme, setTheme] = useState(currentTheme);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="icon-button"
      data-testid="theme-toggle"
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      onClick={() => {
        chooseTheme(next);
        setTheme(next);
      }}
    >
      <Icon name={theme === 'dark' ? 'sun' : 'moon'} />
      <span className="icon-button-label">{theme === 'dark' ? 'Light' : 'Dark'} theme</span>
    </button>
  );
}
