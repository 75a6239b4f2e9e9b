/**
 * The options page's sections, in order. Each is one file in ./sections; add a new one here.
 */
import type { ComponentType } from 'react';
import { ActiveModelSection } from './sections/ActiveModel';
import { CsvImportSection } from './sections/CsvImport';
import { RecordPagesSection } from './sections/RecordPages';
import { ConnectionsSection } from './sections/Connections';
import { SyncSection } from './sections/Sync';
import { WriteBackSection } from './sections/WriteBack';
import { DemoModeSection } from './sections/DemoMode';
import { DataPrivacySection } from './sections/DataPrivacy';
import { TrainingSection } from './sections/Training';
import { VersionsSection } from './sections/Versions';
import { ModelReportSection } from './sections/ModelReport';
import { TierPolicySection } from './sections/TierPolicy';

export interface OptionsSection {
  /** URL hash and test hook: options.html#model */
  id: string;
  title: string;
  Component: ComponentType;
}

export const optionsSections: OptionsSection[] = [
  { id: 'connections', title: 'CRM connections', Component: ConnectionsSection },
  { id: 'sync', title: 'Sync', Component: SyncSection },
  { id: 'write-back', title: 'Write scores to the CRM', Component: WriteBackSection },
  { id: 'model', title: 'Active model', Component: ActiveModelSection },
  { id: 'report', title: 'Model report', Component: ModelReportSection },
  { id: 'tiers', title: 'Tier policy', Component: TierPolicySection },
  { id: 'versions', title: 'Model versions', Component: VersionsSection },
  { id: 'privacy', title: 'Data and privacy', Component: DataPrivacySection },
  { id: 'demo', title: 'Demo mode', Component: DemoModeSection },
  { id: 'record-pages', title: 'Record pages', Component: RecordPagesSection },
  { id: 'csv', title: 'Import and export CSV', Component: CsvImportSection },
  { id: 'training', title: 'Train on your history', Component: TrainingSection },
];
