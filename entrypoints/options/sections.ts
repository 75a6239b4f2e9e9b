/**
 * The options page's sections, in order. Each is one file in ./sections; add a new one here.
 */
import type { ComponentType } from 'react';
import { ActiveModelSection } from './sections/ActiveModel';
import { PrivacySection } from './sections/Privacy';

export interface OptionsSection {
  /** URL hash and test hook: options.html#models */
  id: string;
  title: string;
  Component: ComponentType;
}

export const optionsSections: OptionsSection[] = [
  { id: 'model', title: 'Active model', Component: ActiveModelSection },
  { id: 'privacy', title: 'Data and privacy', Component: PrivacySection },
];
