/** The HubSpot contact property holding a contact's lifecycle stage. */
export const HUBSPOT_LIFECYCLE_FIELD = 'lifecyclestage';

/** HubSpot's default lifecycle stages (internal values), in the order a contact moves through them. */
export const HUBSPOT_LIFECYCLE_ORDER = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
] as const;
export type HubSpotLifecycleStage = (typeof HUBSPOT_LIFECYCLE_ORDER)[number];
