/** The host procedure of `init`, in order (after the local key check, the connection and the probe). */
import { configStep } from './config.js';
import { dataStep } from './data.js';
import { brokerStep, jpsStep, zookeeperStep } from './daemons.js';
import { downloadStep } from './download.js';
import { extractStep } from './extract.js';
import { heapStep } from './heap.js';
import { javaStep } from './java.js';
import type { Step } from './types.js';
import { unitsStep } from './units.js';

export const initSteps: readonly Step[] = [
  javaStep,
  downloadStep,
  extractStep,
  heapStep,
  dataStep,
  configStep,
  unitsStep,
  zookeeperStep,
  brokerStep,
  jpsStep,
];
