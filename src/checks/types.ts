/** The result of one verify check: what was seen and, when it failed, what to do. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a failure or warning. */
  fix?: string | undefined;
}

export function check(id: string, title: string, status: CheckStatus, detail: string, fix?: string): CheckResult {
  return { id, title, status, detail, ...(fix === undefined ? {} : { fix }) };
}
