import { describe, expect, it } from 'vitest';
import { javaInstallFor } from '../../src/steps/java.js';

const os = (id: string, versionId: string, idLike: string[] = []) => ({ id, versionId, idLike, prettyName: id });

describe('which JDK to install', () => {
  it('uses Corretto 17 with dnf on Amazon Linux 2023', () => {
    expect(javaInstallFor(os('amzn', '2023'))).toEqual({ pm: 'dnf', packages: ['java-17-amazon-corretto-devel'] });
  });
  it('uses yum on Amazon Linux 2 and 1, falling back to OpenJDK 8 as in the seed notes', () => {
    expect(javaInstallFor(os('amzn', '2'))?.pm).toBe('yum');
    expect(javaInstallFor(os('amzn', '2'))?.packages.at(-1)).toBe('java-1.8.0-openjdk-devel');
    expect(javaInstallFor(os('amzn', '2018.03'))).toEqual({ pm: 'yum', packages: ['java-1.8.0-openjdk-devel'] });
  });
  it('uses apt and the headless JDK 17, else 11, on Debian and Ubuntu', () => {
    expect(javaInstallFor(os('debian', '12'))).toEqual({ pm: 'apt', packages: ['openjdk-17-jdk-headless', 'openjdk-11-jdk-headless'] });
    expect(javaInstallFor(os('ubuntu', '22.04', ['debian']))?.pm).toBe('apt');
    expect(javaInstallFor(os('linuxmint', '21', ['ubuntu', 'debian']))?.pm).toBe('apt');
  });
  it('uses dnf or yum on the RHEL family', () => {
    expect(javaInstallFor(os('rocky', '9.3', ['rhel', 'centos', 'fedora']))?.pm).toBe('dnf');
    expect(javaInstallFor(os('centos', '7', ['rhel', 'fedora']))?.pm).toBe('yum');
  });
  it('always picks JDK packages, so jps is there', () => {
    for (const o of [os('amzn', '2023'), os('amzn', '2'), os('debian', '12'), os('fedora', '40')]) {
      for (const p of javaInstallFor(o)!.packages) expect(p).toMatch(/devel|jdk/);
    }
  });
  it('knows nothing of other systems', () => {
    expect(javaInstallFor(os('alpine', '3.19'))).toBeUndefined();
    expect(javaInstallFor(os('', ''))).toBeUndefined();
  });
});
