/** Files under templates/: the scripts run on the host and the blocks written there. */
import { readFileSync } from 'node:fs';

// dist/templates.js and src/templates.ts both sit one level below the package root.
const ROOT = new URL('../templates/', import.meta.url);
const cache = new Map<string, string>();

export function template(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(name, ROOT), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** Replaces `{{name}}` placeholders; every placeholder must have a value. */
export function render(name: string, values: Record<string, string>): string {
  return template(name).replace(/\{\{(\w+)\}\}/g, (_all, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`template ${name}: no value for {{${key}}}`);
    return v;
  });
}
