/**
 * Addresses on a test bridge (10.213.0.N for the netns hosts, 10.214.0.N for the nspawn hosts), claimed
 * across processes: each address has a record file, created exclusively, holding what its owner needs
 * removed after a crash. One module, so that both kinds of host claim and read them the same way.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AddressRecords {
  /** Where the records live (one file per address). */
  dir: string;
  /** The /24 the addresses are in, as "10.213.0". */
  subnet: string;
}

/** Matches an address of the records' subnet (its last byte captured). */
export function addressPattern(r: AddressRecords): RegExp {
  return new RegExp(`^${r.subnet.replace(/\./g, '\\.')}\\.(\\d{1,3})$`);
}

/** Claims the lowest free address (.2 to .254) by creating its record exclusively. */
export function claimAddress<T extends { address: string }>(r: AddressRecords, record: Omit<T, 'address'>): string {
  mkdirSync(r.dir, { recursive: true, mode: 0o700 });
  for (let n = 2; n < 255; n++) {
    const address = `${r.subnet}.${n}`;
    try {
      writeFileSync(join(r.dir, address), JSON.stringify({ ...record, address }), { flag: 'wx', mode: 0o600 });
      return address;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`no free address in ${r.subnet}.0/24: ${r.dir} holds 253 records`);
}

/** Every record that can be read now; one being written or removed meanwhile is not ours to judge. */
export function readRecords<T>(r: AddressRecords): T[] {
  let names: string[] = [];
  try {
    names = readdirSync(r.dir);
  } catch {
    return [];
  }
  const pattern = addressPattern(r);
  return names
    .filter((n) => pattern.test(n))
    .flatMap((name) => {
      try {
        return [JSON.parse(readFileSync(join(r.dir, name), 'utf8')) as T];
      } catch {
        return [];
      }
    });
}
