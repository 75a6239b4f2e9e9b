/** Zod errors in words for people: for CRM answers, messages, files and manifests alike. */
import type { z } from 'zod';

/** The failing paths of a zod error and what each expected, never the values: the first `max` of them. */
export function describeSchemaIssues(error: z.ZodError, max = 3): string {
  return error.issues
    .slice(0, max)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
