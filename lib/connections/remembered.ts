/**
 * Where a CRM client keeps what it read past its worker (`Remembered`: Salesforce's Lead describe
 * and a multi-currency org's rates): storage.session, which outlives the worker Chrome stops
 * after about 30 idle seconds, lasts as long as the browser session, and is never written to
 * disk. Each item is kept for the one connection `connection` names (client-for.ts
 * `connectedClient`): another connection's client reads it as nothing kept, and overwrites it
 * (storage.session has a quota). The client tolerates storage.session failing or full.
 */
import { browser } from 'wxt/browser';
import { z } from 'zod';
import type { Remembered } from '../crm/salesforce-client';
import type { CrmKind } from '../crm/types';

const KeptSchema = z.object({ connection: z.string(), value: z.unknown() });

/** The storage.session key `crm`'s client keeps its item `key` under. */
const rememberedKey = (crm: CrmKind, key: string) => `remembered:${crm}:${key}`;

export function rememberedInSession(crm: CrmKind, connection: string): Remembered {
  return {
    async read(key) {
      const storageKey = rememberedKey(crm, key);
      const kept = KeptSchema.safeParse((await browser.storage.session.get(storageKey))[storageKey]);
      return kept.success && kept.data.connection === connection ? kept.data.value : undefined;
    },
    async write(key, value) {
      await browser.storage.session.set({ [rememberedKey(crm, key)]: { connection, value } });
    },
  };
}
