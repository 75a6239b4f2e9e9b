/**
 * TanStack Query keys, one factory per resource, so every write can invalidate exactly the
 * keys it changes.
 */
export const queryKeys = {
  activeModel: () => ['models', 'active'] as const,
  models: () => ['models'] as const,
  /**
   * Every model, as listed when `activeId` is the active one, and the model to roll back to: each
   * its own shape under `models`, as a model id ('previous', 'active') may be any word.
   */
  modelList: (activeId: string | undefined) => ['models', 'list', activeId] as const,
  previousModel: () => ['models', 'previous'] as const,
  manifest: (modelId: string) => ['models', 'manifest', modelId] as const,
  /** Everything read from the stored leads and their scores. */
  leads: () => ['leads'] as const,
  scoredLeads: (modelId: string) => ['leads', 'scored', modelId] as const,
  storedDataSummary: () => ['leads', 'summary'] as const,
  /**
   * The stored leads' outcomes by a model's rule (the side panel's conversion rates): not under
   * `leads`, whose re-tiers and owner names do not change them; read again when leads are scored or deleted.
   */
  ruleOutcomes: (modelId: string) => ['rule-outcomes', modelId] as const,
  /** When an imported file's leads' ages count from (its latest created date): read again, as the outcomes are, when leads are scored or deleted. */
  fileAgesFrom: () => ['rule-outcomes', 'file-ages-from'] as const,
  /** How many stored leads are Demo mode's, and how many the user's own. */
  demoLeadMix: () => ['leads', 'demo-mix'] as const,
  /** How the model's stored scores spread over its training leads' deciles. */
  scoreDrift: (modelId: string) => ['leads', 'drift', modelId] as const,
  /** The stored history of one source, as the training form samples it. */
  trainingHistory: (source: string) => ['leads', 'training-history', source] as const,
  recordStaleHours: () => ['settings', 'recordStaleHours'] as const,
  exportSeparator: () => ['settings', 'exportSeparator'] as const,
  /** Every tab's open lead (the side panel keeps one answer per tab). */
  openLeads: () => ['openLead'] as const,
  openLead: (tabId: number | null) => [...queryKeys.openLeads(), tabId] as const,
  /** CRM connections (status only: pages never see credentials) and their syncs. */
  connections: () => ['connections'] as const,
  syncs: () => ['syncs'] as const,
  writeBacks: () => ['writeBacks'] as const,
  /** How a connected CRM labels its choice fields' options on its pages. */
  crmOptionLabels: (crm: string | null, fields: readonly string[]) => ['connections', 'option-labels', crm, fields] as const,
  /** The connected HubSpot portal's own lifecycle stages, in its order. */
  crmLifecycleStages: () => ['connections', 'lifecycle-stages'] as const,
};
