/** Every content-script feature, in the order they run on a page. Add new ones here. */
import { listBadges } from './list-badges';
import { recordBadge } from './record-badge';
import type { ContentFeature } from './types';

export const contentFeatures: readonly ContentFeature[] = [recordBadge, listBadges];
