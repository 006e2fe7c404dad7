import http from 'node:http'
import https from 'node:https'
import { useAgent } from 'request-filtering-agent'
import type { AccessPolicy } from './policy.js'
import { isText, KIND_WORDS, sniffMedia, type MediaKind } from './sniff.js'

/*
 * The remote policy (see policy.ts): a guarded GET of one resource. The address check runs when
 * the socket connects (request-filtering-agent checks every address DNS returns, and literal
 * IPs), so a name that resolves to 127.0.0.1 or 169.254.169.254 is refused like the address
 * itself, on every redirect too.
 */

export class RemoteRefusal extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message)
    this.name = 'RemoteRefusal'
  }
}

const MAX_REDIRECTS = 5

export const PRIVATE_HINT =
  'Addresses on this machine or a private network are never fetched by default; pass --allow-private-network if you trust this deck.'

/**
 * Font services (Google Fonts, Bunny Fonts) choose the font format by the User-Agent: one that
 * names a current Chrome gets woff2, the format the print page's Chromium reads best. Fixed, so
 * the same URL gives the same CSS on every build.
 */
const USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 marp-deck-pipeline'

export type RemotePolicy = Pick<AccessPolicy, 'allowPrivateNetwork' | 'maxRemoteBytes' | 'remoteTimeoutMs'>

/** The resource at `url` as a data URI, or a RemoteRefusal that says why not. */
export async function fetchRemoteMedia(url: string, policy: RemotePolicy, kinds: readonly MediaKind[]): Promise<string> {
  const { type, body } = await fetchRemote(url, policy, 'image/*,font/*;q=0.9,*/*;q=0.1')
  return `data:${await mediaTypeOf(type, body, kinds)};base64,${body.toString('base64')}`
}

/**
 * The MIME type of a fetched body when it is one of `kinds`: the server's word and the bytes must
 * agree. An image URL that answers JSON or HTML (an error page, a metadata service) is refused;
 * a generic type is judged by the bytes.
 */
export async function mediaTypeOf(type: string | undefined, body: Buffer, kinds: readonly MediaKind[]): Promise<string> {
  const declared = (type ?? '').split(';')[0]!.trim().toLowerCase()
  const sniffed = await sniffMedia(body, kinds)
  const generic = declared === '' || declared === 'application/octet-stream' || declared === 'binary/octet-stream'
  const agrees = sniffed !== undefined && (generic || kinds.some((k) => declared.startsWith(`${k}/`)) || isFontType(declared, kinds))
  if (!agrees) {
    throw new RemoteRefusal(
      `the answer is not ${kinds.map((k) => KIND_WORDS[k]).join(' or ')} (content type ${declared || 'none'})`,
      'Link the resource itself, not a page about it.',
    )
  }
  return sniffed
}

/** A fetched body as a style sheet (a theme's `@import` of a font CSS): its text, or a RemoteRefusal. */
export function styleSheetOf(type: string | undefined, body: Buffer): string {
  const declared = (type ?? '').split(';')[0]!.trim().toLowerCase()
  if (!(declared === '' || declared === 'text/css' || declared === 'text/plain') || !isText(body)) {
    throw new RemoteRefusal(`the answer is not a style sheet (content type ${declared || 'none'})`, 'Import the font CSS itself.')
  }
  return body.toString('utf8')
}

/** A GET of `url` under the policy, redirects followed: the body, its declared type and the final URL. */
export async function fetchRemote(
  url: string,
  policy: RemotePolicy,
  accept: string,
): Promise<{ type: string | undefined; body: Buffer; url: string }> {
  const deadline = AbortSignal.timeout(policy.remoteTimeoutMs)
  let target = new URL(url.startsWith('//') ? `https:${url}` : url)
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new RemoteRefusal(`${target.protocol} URLs are not fetched`, 'Only http and https URLs are fetched.')
    }
    const answer = await get(target, policy, deadline, accept)
    if ('redirect' in answer) {
      target = new URL(answer.redirect, target)
      continue
    }
    return { ...answer, url: target.href }
  }
  throw new RemoteRefusal(`more than ${MAX_REDIRECTS} redirects`, 'Link the final address of the resource.')
}

const isFontType = (type: string, kinds: readonly MediaKind[]): boolean =>
  kinds.includes('font') && /^application\/(font-|x-font-|vnd\.ms-fontobject)/.test(type)

type Answer = { redirect: string } | { type: string | undefined; body: Buffer }

function get(target: URL, policy: RemotePolicy, deadline: AbortSignal, accept: string): Promise<Answer> {
  const client = target.protocol === 'https:' ? https : http
  const agent = useAgent(target.href, { allowPrivateIPAddress: policy.allowPrivateNetwork, allowMetaIPAddress: policy.allowPrivateNetwork })
  return new Promise<Answer>((resolve, reject) => {
    const request = client.get(target, { agent, signal: deadline, headers: { accept, 'user-agent': USER_AGENT } }, (res) => {
      const status = res.statusCode ?? 0
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume()
        resolve({ redirect: res.headers.location })
        return
      }
      if (status < 200 || status >= 300) {
        res.resume()
        reject(new RemoteRefusal(`HTTP ${status}`, 'Check the URL, or download the resource next to the deck.'))
        return
      }
      const declared = Number(res.headers['content-length'])
      if (Number.isFinite(declared) && declared > policy.maxRemoteBytes) {
        res.destroy()
        reject(tooBig(policy))
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > policy.maxRemoteBytes) {
          res.destroy()
          reject(tooBig(policy))
          return
        }
        chunks.push(chunk)
      })
      res.on('end', () => resolve({ type: res.headers['content-type'], body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    request.on('error', (e: Error) => {
      if (deadline.aborted)
        reject(
          new RemoteRefusal(
            `no answer within ${policy.remoteTimeoutMs} ms`,
            'Raise --remote-timeout, or download the resource next to the deck.',
          ),
        )
      else if (/is not allowed/.test(e.message))
        reject(new RemoteRefusal(`${target.hostname} is a loopback, link-local or private address`, PRIVATE_HINT))
      else
        reject(
          new RemoteRefusal(
            (e as NodeJS.ErrnoException).code ?? e.message,
            'Check the URL and the network, or download the resource next to the deck.',
          ),
        )
    })
  })
}

function tooBig(policy: RemotePolicy): RemoteRefusal {
  const mb = (policy.maxRemoteBytes / 2 ** 20).toFixed(1).replace(/\.0$/, '')
  return new RemoteRefusal(`larger than ${mb} MB`, 'Shrink the image and keep it next to the deck, or raise --max-remote-size.')
}
