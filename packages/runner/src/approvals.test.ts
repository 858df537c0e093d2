import type { ApprovalRequestMessage } from '@praktor/protocol';
import { describe, expect, it } from 'vitest';
import { Approvals, approvalKey } from './approvals.js';

/** Approvals whose requests are collected, to be answered by the test. */
function desk() {
  const sent: ApprovalRequestMessage[] = [];
  const approvals = new Approvals((message) => sent.push(message));
  const answer = (allow: boolean, always = false) => {
    const request = sent.at(-1);
    if (!request) throw new Error('nothing was asked');
    return approvals.decided({
      type: 'approval_decision',
      approvalId: request.approvalId,
      allow,
      always,
      message: 'no',
    });
  };
  return { approvals, sent, answer };
}

const RM = { command: 'rm -rf build' };

describe('runner approvals', () => {
  it('remembers a shell command by its program, any other tool by its name', () => {
    expect(approvalKey('Bash', { command: '  rm -rf build' })).toBe('Bash:rm');
    expect(approvalKey('WebFetch', { url: 'https://example.org' })).toBe('WebFetch');
  });

  it('asks the gateway, and passes a denial on to the model with its message', async () => {
    const { approvals, sent, answer } = desk();
    const result = approvals.request('conversation', '7', 'Bash', RM);
    expect(sent).toMatchObject([{ type: 'approval', turnId: '7', toolName: 'Bash', input: RM }]);
    answer(false);
    expect(await result).toEqual({ behavior: 'deny', message: 'no' });
  });

  it('asks again after a plain approval', async () => {
    const { approvals, sent, answer } = desk();
    const first = approvals.request('conversation', '7', 'Bash', RM);
    answer(true);
    expect(await first).toEqual({ behavior: 'allow', updatedInput: RM });
    void approvals.request('conversation', '8', 'Bash', RM);
    expect(sent).toHaveLength(2);
  });

  it('after Always allows the same kind of call in the same scope without asking, until forgotten', async () => {
    const { approvals, sent, answer } = desk();
    const first = approvals.request('conversation', '7', 'Bash', RM);
    answer(true, true);
    await first;
    expect(await approvals.request('conversation', '8', 'Bash', { command: 'rm old.log' })).toEqual({
      behavior: 'allow',
      updatedInput: { command: 'rm old.log' },
    });
    expect(sent).toHaveLength(1);
    void approvals.request('task-9', '9', 'Bash', RM);
    void approvals.request('conversation', '10', 'Bash', { command: 'git push' });
    expect(sent).toHaveLength(3);
    approvals.forget('conversation');
    void approvals.request('conversation', '11', 'Bash', RM);
    expect(sent).toHaveLength(4);
  });

  it('ignores a decision nobody waits for', () => {
    const { approvals } = desk();
    expect(
      approvals.decided({
        type: 'approval_decision',
        approvalId: 'x',
        allow: true,
        always: false,
        message: '',
      }),
    ).toBe(false);
  });
});
