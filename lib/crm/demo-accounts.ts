/**
 * The org and portal Demo mode's leads belong to: the demo CRM's (test/demo-crm), which plays
 * them. Their record ids are made up and may be real ids in a user's own org or portal, so a
 * stored demo lead answers only for a page of these (page-access.ts).
 */
import type { CrmKind } from './types';

export const DEMO_ACCOUNTS: Record<CrmKind, string> = {
  salesforce: 'leadlens-demo.my.salesforce.com',
  hubspot: '4242424',
};
