/**
 * The setting naming the LeadLens version whose code scored what is stored: start-up compares it
 * with its own to score again after an update (`scoreAgainAfterUpdate`), and "Purge everything"
 * keeps it (`purgeEverything`). Apart from both, which import each other's modules' importers.
 */
export const SCORED_BY_VERSION_KEY = 'scored-by-version';
