import { describe, expect, it } from 'vitest';
import { nodeSupported, unsupportedNodeMessage } from '../src/node-support.js';

describe('the Node.js check of src/cli.ts', () => {
  it.each([
    ['v20.20.2', false],
    ['18.0.0', false],
    ['22.12.0', false],
    ['v22.13.0', true],
    ['22.22.1', true],
    ['23.4.0', false],
    ['23.5.0', true],
    ['24.0.0', true],
    ['26.10.0', true],
    ['', false],
    ['garbage', false],
  ])('Node %j: %s', (version, ok) => {
    expect(nodeSupported(version)).toBe(ok);
  });

  it('says what is wrong and what to do, on two lines, without a stack trace', () => {
    const text = unsupportedNodeMessage('v20.20.2');
    expect(text).toBe(
      'error: kafka-setup needs Node.js 22.13 or newer; this is Node.js 20.20.2\n' +
        'what to do: install a supported Node.js LTS (22, 24 or 26; https://nodejs.org/en/download), then run kafka-setup again\n',
    );
  });
});
