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
 * .github/workflows/decks.yml: lint and build on every push and pull request, upload the PDF and
 * HTML, publish the HTML to GitHub Pages from the default branch. `inputDir` and `outDir` are
 * the project's, relative to the repository root, with forward slashes.
 */
export function workflowFile(inputDir: string, outDir: string, pkg: string): string {
  const out = outDir === '.' ? '' : `${outDir}/`
  return `# Lint and build the decks in ${inputDir}/ with ${pkg} (npx deck); upload the PDF and HTML;
# publish the HTML with an index page to GitHub Pages from the default branch. Needs
# ${pkg} in package.json and package-lock.json (npm i -D ${pkg}).
# Enable Pages once: Settings → Pages → Source: GitHub Actions.
name: Decks

on:
  push:
    # The default branch: add yours if it is neither.
    branches: [main, master]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: decks-\${{ github.ref }}
  cancel-in-progress: true

jobs:
  build:
    runs-on: ubuntu-latest
    # Debian: its chromium package is a real browser (Ubuntu's is a snap stub that cannot run in CI).
    container: node:20-bookworm
    timeout-minutes: 20
    env:
      # Debian's headless-only build of Chromium: same rendering, faster start and screenshots.
      CHROME_PATH: /usr/bin/chromium-headless-shell
    steps:
      - uses: actions/checkout@v4

      - name: Install Chromium and fonts
        run: |
          apt-get update -qq
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium-headless-shell fontconfig fonts-dejavu-core

      - name: Install dependencies
        run: npm ci --no-audit --no-fund

      # --strict fails the job on any finding (annotations land on the Markdown lines). The build
      # still runs so the outputs can be inspected; the last step fails the job afterwards.
      - name: Lint decks
        id: lint
        continue-on-error: true
        run: npx deck lint --strict

      - name: Build decks
        run: npx deck build --index --summary "$GITHUB_STEP_SUMMARY"

      - name: Upload PDF and HTML
        uses: actions/upload-artifact@v4
        with:
          name: decks
          path: |
            ${out}**/*.pdf
            ${out}**/*.html
          if-no-files-found: error

      - name: Collect the HTML for Pages
        if: github.event_name == 'push' && github.ref_name == github.event.repository.default_branch
        run: |
          mkdir -p _site
          cd "${outDir}"
          find . -name '*.html' -exec cp --parents {} "$GITHUB_WORKSPACE/_site/" \\;

      - name: Upload Pages artifact
        if: github.event_name == 'push' && github.ref_name == github.event.repository.default_branch
        uses: actions/upload-pages-artifact@v3
        with:
          path: _site

      - name: Fail on lint findings
        if: steps.lint.outcome == 'failure'
        run: |
          echo "deck lint --strict found problems: see the annotations and the Lint decks step." >&2
          exit 1

  deploy:
    if: github.event_name == 'push' && github.ref_name == github.event.repository.default_branch
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: \${{ steps.deployment.outputs.page_url }}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v4
`
}
