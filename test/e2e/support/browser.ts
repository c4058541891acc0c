/** Headless Debian Chromium driven by playwright-core (Playwright's own browser download cannot work here). */
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[]

export function chromiumPath(): string {
  const found = CANDIDATES.find((p) => existsSync(p))
  if (!found) throw new Error('Chromium not found: install it (Debian: apt-get install -y chromium fonts-wqy-zenhei) or set CHROMIUM_PATH')
  return found
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Without the background-networking flags Chromium keeps dialling Google's hosts, which this
    // machine's closed network refuses; --no-sandbox because CI runs as root.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  })
}
