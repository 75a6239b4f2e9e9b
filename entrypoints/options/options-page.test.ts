// @vitest-environment happy-dom
/**
 * How the options page opens: WXT writes the manifest's options_ui from the `manifest.*` meta
 * tags of its index.html (their names turned to camelCase, their content read as JSON5), and
 * open_in_tab is false unless one says otherwise.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('opens in a tab of its own, not a dialog inside chrome://extensions that is closed with the training in it', () => {
  const page = new DOMParser().parseFromString(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'index.html'), 'utf8'), 'text/html');
  expect(page.querySelector('meta[name="manifest.open_in_tab"]')?.getAttribute('content')).toBe('true');
});
