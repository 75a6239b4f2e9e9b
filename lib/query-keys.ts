import type { PolicyChoice } from './ml/tier-policy';

/**
 * TanStack Query keys, one factory per resource, so every write can invalidate exactly the
 * keys it changes. A key built on another (`[...queryKeys.x(), …]`) is read again whenever that
 * one is invalidated: that is why some are nested.
 */
export const queryKeys = {
  models: () => ['models'] as const,
  /**
   * Every model, as listed when `activeId` is the active one, and the model to roll back to: each
   * its own shape under `models`, as a model id ('previous', 'active') may be any word.
   */
  modelList: (activeId: string | undefined) => ['models', 'list', activeId] as const,
  previousModel: () => ['models', 'previous'] as const,
  /**
   * A model's manifest with its tier policy, on every page (the active one's too, keyed by the
   * active id): invalidating `models` reads it again, as each change of the models does.
   */
  manifest: (modelId: string) => ['models', 'manifest', modelId] as const,
  /** The figures a model's tier policy was applied with: kept with its policy, so read again with its manifest. */
  tierPolicyFigures: (modelId: string) => [...queryKeys.manifest(modelId), 'policy-figures'] as const,
  /** Whether a newer LeadLens set the model's tier policy (`newerTierPolicy`): read again with its manifest. */
  newerTierPolicy: (modelId: string) => [...queryKeys.manifest(modelId), 'newer-tier-policy'] as const,
  /** Everything read from the stored leads and their scores. */
  leads: () => ['leads'] as const,
  scoredLeads: (modelId: string) => ['leads', 'scored', modelId] as const,
  /** A model's stored (probability, outcome) pairs, which the model report and the tier policy read. */
  labelledLeads: (modelId: string) => [...queryKeys.scoredLeads(modelId), 'labelled'] as const,
  /**
   * A tier policy's preview, computed from the labelled leads as read at `labelledReadAt` (0 when
   * they are not used): a pure function of its key.
   */
  tierPolicyPreview: (modelId: string, labelledReadAt: number, choice: PolicyChoice | null) =>
    [...queryKeys.labelledLeads(modelId), 'preview', labelledReadAt, choice] as const,
  /** When an imported file's leads count as of (`fileLeadsAsOf`), beside a model's labelled leads: read again whenever they are. */
  labelledFileLeadsAsOf: (modelId: string) => [...queryKeys.labelledLeads(modelId), 'file-leads-as-of'] as const,
  /**
   * A stored lead of an imported file explained in full by model `modelId` (the side panel's `explainStoredLead`):
   * under `leads`, so read again with them (a scoring or re-tier ends, stored data deleted).
   */
  storedLeadExplained: (leadKey: string, modelId: string | undefined) => [...queryKeys.leads(), 'explained', leadKey, modelId] as const,
  storedDataSummary: () => ['leads', 'summary'] as const,
  /**
   * The comparisons of a CSV file with the stored CSV leads (`compareWithStoredImport`): not under
   * `leads`, whose invalidations are awaited (a scoring's end) and would wait for a whole reading of
   * the file; reset once the page imported, or the stored data were deleted.
   */
  csvReplacements: () => ['csv-replacement'] as const,
  /** The comparison of the page's `fileNumber`th file read under the columns `comparedWith`. */
  csvReplacement: (fileNumber: number, comparedWith: unknown) => [...queryKeys.csvReplacements(), fileNumber, comparedWith] as const,
  /** How the stored contacts' HubSpot portal labels their original sources (`keptLeadSourceLabels`): kept by a sync, so read again with the leads. */
  leadSourceLabels: () => ['leads', 'lead-source-labels'] as const,
  /** The stored leads a model's finished scoring left without a score, counted. */
  unscorableLeads: (modelId: string) => ['leads', 'unscorable', modelId] as const,
  /** The syncs, as read with the stored leads (a sync's end scores its leads, and that job's end reads them again). */
  syncsReadWithLeads: () => ['leads', 'syncs'] as const,
  /**
   * The stored leads' outcomes by a model's rule (the side panel's conversion rates): not under
   * `leads`, whose re-tiers and owner names do not change them; read again when leads are scored or deleted.
   */
  ruleOutcomes: (modelId: string) => ['rule-outcomes', modelId] as const,
  /** When an imported file's leads' ages count from (its latest created date): read again, as the outcomes are, when leads are scored or deleted. */
  fileAgesFrom: () => ['rule-outcomes', 'file-ages-from'] as const,
  /** When an imported file's leads count as of (`fileLeadsAsOf`), beside the outcomes: read again whenever they are. */
  fileLeadsAsOf: () => [...queryKeys.fileAgesFrom(), 'file-leads-as-of'] as const,
  /** The outcome rule the stored import read its leads by (`importedOutcomeRule`): replaced with them, so read again as the file's date is. */
  importedOutcomeRule: () => [...queryKeys.fileAgesFrom(), 'imported-outcome-rule'] as const,
  /** How many stored leads are Demo mode's, and how many the user's own. */
  demoLeadMix: () => ['leads', 'demo-mix'] as const,
  /** How the model's stored scores spread over its training leads' deciles. */
  scoreDrift: (modelId: string) => ['leads', 'drift', modelId] as const,
  /** The stored history of one source, as the training form samples it. */
  trainingHistory: (source: string) => ['leads', 'training-history', source] as const,
  /** When the imported file's training window counts back from: read again with its history. */
  fileWindowCountedFrom: () => [...queryKeys.trainingHistory('csv'), 'window-counted-from'] as const,
  /** The source whose history the training form starts on (the first with stored leads). */
  trainingStartingSource: () => ['leads', 'training-starting-source'] as const,
  recordStaleHours: () => ['settings', 'recordStaleHours'] as const,
  exportSeparator: () => ['settings', 'exportSeparator'] as const,
  /** Every tab's open lead (the side panel keeps one answer per tab). */
  openLeads: () => ['openLead'] as const,
  openLead: (tabId: number | null) => [...queryKeys.openLeads(), tabId] as const,
  /** Tab `tabId`'s open lead as model `modelId` scores it: another active model is another answer. */
  openLeadScoredBy: (tabId: number | null, modelId: string | undefined) => [...queryKeys.openLead(tabId), modelId] as const,
  /** CRM connections (status only: pages never see credentials) and their syncs. */
  connections: () => ['connections'] as const,
  syncs: () => ['syncs'] as const,
  writeBacks: () => ['writeBacks'] as const,
  /** How a connected CRM labels its choice fields' options on its pages. */
  crmOptionLabels: (crm: string | null, fields: readonly string[]) => ['connections', 'option-labels', crm, fields] as const,
  /** The connected HubSpot portal's own lifecycle stages, in its order. */
  crmLifecycleStages: () => ['connections', 'lifecycle-stages'] as const,
};
