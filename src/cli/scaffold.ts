import { CONFIG_DEFAULTS } from '../config/schema.js'

/*
 * The files `deck init` writes into a repository: a first deck, a config holding a few keys at
 * their defaults, and a GitHub Actions workflow like this repository's own, for a repository
 * that installs the package from npm.
 */

export const EXAMPLE_DECK = `---
marp: true
theme: palette-3
paginate: true
title: Example deck
---

# Example deck

Written in Markdown, built by \`npx deck build\`

<!-- Speaker notes go in HTML comments like this one. -->

---

## One idea per slide

- \`---\` starts a new slide
- \`npx deck watch\` rebuilds on every save and shows a live preview
- \`npx deck lint\` finds overflowing slides, small code and poor contrast

---

## Code is highlighted

\`\`\`ts
import { build } from 'marp-deck-pipeline'

const result = await build({ formats: ['html', 'pdf'] })
console.log(result.decks.map((d) => d.outputs))
\`\`\`
`

/** deck.config.json: the everyday keys, at their defaults, for the user to change. */
export function configFile(): string {
  const { inputDir, out, formats, html } = CONFIG_DEFAULTS
  return `${JSON.stringify({ inputDir, out, formats, html, lint: { strict: false } }, null, 2)}\n`
}

/**
 * .github/workflows/decks.yml: one strict build on every push and pull request (findings as
 * annotations, failing only once the outputs are uploaded), the output folder kept between runs
 * and uploaded, and published whole to GitHub Pages from the default branch. Actions are pinned
 * by commit SHA, as in this repository's own workflow. `inputDir` and `outDir` are the
 * project's, relative to the repository root, with forward slashes.
 */
export function workflowFile(inputDir: string, outDir: string, pkg: string): string {
  const onMain = "github.event_name == 'push' && github.ref_name == github.event.repository.default_branch"
  return `# Build the decks in ${inputDir}/ with ${pkg} (npx deck): one build prints the findings as
# annotations, writes the job summary and the index page, uploads ${outDir}/ (HTML, PDF, PPTX) and,
# from the default branch, publishes it to GitHub Pages. Needs ${pkg} in package.json and
# package-lock.json (npm i -D ${pkg}). Enable Pages once: Settings → Pages → Source: GitHub Actions.
name: Decks

on:
  push:
    # The default branch: add yours if it is neither.
    branches: [main, master]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

jobs:
  build:
    runs-on: ubuntu-latest
    # A newer push to a pull request cancels its build; builds of the default branch finish.
    concurrency:
      group: decks-\${{ github.ref }}
      cancel-in-progress: \${{ github.event_name == 'pull_request' }}
    # Debian: its chromium package is a real browser (Ubuntu's is a snap stub that cannot run in CI).
    container: node:20-bookworm
    timeout-minutes: 20
    env:
      # Debian's headless-only build of Chromium: same rendering, faster start and screenshots.
      CHROME_PATH: /usr/bin/chromium-headless-shell
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false

      - name: Install Chromium and fonts
        run: |
          apt-get update -qq
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium-headless-shell fontconfig fonts-dejavu-core

      - name: Install dependencies
        run: npm ci --no-audit --no-fund

      # The last output folder and its manifest: decks whose inputs did not change are not rebuilt.
      - name: Restore the build cache
        id: cache
        uses: actions/cache/restore@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0
        with:
          path: ${outDir}
          key: decks-\${{ github.sha }}
          restore-keys: decks-

      # --strict exits 4 on any finding (annotations land on the Markdown lines), once every
      # output is written; the last step fails the job after the uploads.
      - name: Build decks
        id: build
        continue-on-error: true
        run: npx deck build --strict --index --summary "$GITHUB_STEP_SUMMARY"

      - name: Save the build cache
        if: steps.cache.outputs.cache-hit != 'true'
        uses: actions/cache/save@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0
        with:
          path: ${outDir}
          key: decks-\${{ github.sha }}

      - name: Upload the outputs
        uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2
        with:
          name: decks
          path: ${outDir}
          include-hidden-files: true
          if-no-files-found: error

      # The whole output folder: every file the index page links (HTML, PDF, PPTX, thumbnails).
      - name: Upload Pages artifact
        if: ${onMain}
        uses: actions/upload-pages-artifact@56afc609e74202658d3ffba0e8f6dda462b719fa # v3.0.1
        with:
          path: ${outDir}

      - name: Fail on findings or a failed deck
        if: steps.build.outcome == 'failure'
        run: |
          echo "deck build --strict failed: see the annotations and the Build decks step." >&2
          exit 1

  deploy:
    if: ${onMain}
    needs: build
    runs-on: ubuntu-latest
    # As GitHub's Pages starter workflow: a deploy in progress is never cancelled.
    concurrency:
      group: pages
      cancel-in-progress: false
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: \${{ steps.deployment.outputs.page_url }}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e # v4.0.5
`
}
