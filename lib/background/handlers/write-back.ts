/** Background handlers for writing scores back to the CRM; the job itself is `write-back-job.ts`. */
import { readConnection } from '../../connections/connections';
import { CRM_KINDS, CRM_LABEL } from '../../crm/types';
import type { writeBackProtocol } from '../../messaging/protocol-write-back';
import type { Handlers } from '../../messaging/rpc';
import { WriteBackTargetSchema } from '../write-back';
import { cancelWriteBack, readWriteBack, startWriteBack } from '../write-back-job';

export const writeBackHandlers: Handlers<typeof writeBackProtocol> = {
  async writeBackScores({ crm, scoreField, tierField, reasonField }) {
    const target = WriteBackTargetSchema.safeParse({ crm, scoreField, tierField: tierField ?? null, reasonField: reasonField ?? null });
    if (!target.success) return { ok: false, error: `Cannot write back: ${target.error.issues.map((issue) => issue.message).join('; ')}` };
    // Refused before a job starts: a run saved as failed would keep saying so after the CRM is connected.
    if (!(await readConnection(crm))) return { ok: false, error: `${CRM_LABEL[crm]} is not connected: connect it under CRM connections first` };
    return { ok: true, ...(await startWriteBack(target.data)) };
  },
  async cancelWriteBack({ crm }) {
    return { ok: true, ...(await cancelWriteBack(crm)) };
  },
  async writeBackStatus() {
    return { ok: true, writeBacks: await Promise.all(CRM_KINDS.map(readWriteBack)) };
  },
};
