/**
 * Talking to the provider's Baoxiu API: the base URL comes from the ext config (the third-party
 * platform writes each provider's ext.json) or from the host a scanned code named; the bearer
 * token pair lives in storage. A 401 refreshes the pair once (each refresh token works once) and
 * retries; a second 401 signs in again with wx.login.
 */
import { ENDPOINTS, EndpointName, fill } from './endpoints'

const TOKENS = 'baoxiu.tokens'
const BASE_URL = 'baoxiu.baseUrl'

export interface Tokens {
  access_token: string
  refresh_token: string
  phone_bound: boolean
  staff: boolean
}

export class ApiError extends Error {
  status: number
  code: string
  body: Record<string, unknown>

  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.detail || `HTTP ${status}`))
    this.status = status
    this.code = String(body.code || '')
    this.body = body
  }
}

export function baseUrl(): string {
  const stored = wx.getStorageSync(BASE_URL) as string
  if (stored) return stored
  const ext = (wx.getExtConfigSync ? wx.getExtConfigSync() : {}) as { baseUrl?: string }
  return (ext.baseUrl || '').replace(/\/$/, '')
}

/** A code scanned for another provider's host switches the client to that provider. */
export function useProvider(url: string): void {
  if (/^https:\/\/[a-z0-9.-]+$/i.test(url) && url !== baseUrl()) {
    wx.setStorageSync(BASE_URL, url)
    wx.removeStorageSync(TOKENS)
  }
}

export function tokens(): Tokens | null {
  return (wx.getStorageSync(TOKENS) as Tokens) || null
}

function keep(pair: Tokens): Tokens {
  wx.setStorageSync(TOKENS, pair)
  return pair
}

interface Call {
  params?: Record<string, string | number>
  query?: Record<string, string | number>
  data?: Record<string, unknown>
  auth?: boolean
}

function url(name: EndpointName, call: Call): string {
  let path = baseUrl() + fill(ENDPOINTS[name].path, call.params)
  const query = call.query || {}
  const keys = Object.keys(query).filter((key) => query[key] !== '' && query[key] !== undefined)
  if (keys.length) {
    path += '?' + keys.map((key) => `${key}=${encodeURIComponent(String(query[key]))}`).join('&')
  }
  return path
}

function send<T>(name: EndpointName, call: Call, token: string | null): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const header: Record<string, string> = { 'Content-Type': 'application/json' }
    if (token) header.Authorization = `Bearer ${token}`
    let method = ENDPOINTS[name].method
    if (method === 'PATCH') {
      // wx.request has no PATCH: POST with the override header (portals.api.method_override).
      header['X-HTTP-Method-Override'] = 'PATCH'
      method = 'POST'
    }
    wx.request({
      url: url(name, call),
      method,
      data: call.data,
      header,
      success: (res) => resolve({ status: res.statusCode, body: res.data as T }),
      fail: (err) => reject(new ApiError(0, { detail: err.errMsg, code: 'network' })),
    })
  })
}

export async function signIn(): Promise<Tokens> {
  const login = await new Promise<WechatMiniprogram.LoginSuccessCallbackResult>((resolve, reject) =>
    wx.login({ success: resolve, fail: reject }),
  )
  const answer = await send<Record<string, unknown>>('signIn', { data: { code: login.code, device: 'mini-program' } }, null)
  if (answer.status !== 200) throw new ApiError(answer.status, answer.body)
  return keep(answer.body as unknown as Tokens)
}

async function refreshed(): Promise<Tokens> {
  const current = tokens()
  if (current) {
    const answer = await send<Record<string, unknown>>('refresh', { data: { refresh_token: current.refresh_token } }, null)
    if (answer.status === 200) return keep(answer.body as unknown as Tokens)
  }
  return signIn()
}

/** Call an endpoint as the signed-in user; resolves with the JSON body or rejects with ApiError. */
export async function api<T = Record<string, unknown>>(name: EndpointName, call: Call = {}): Promise<T> {
  let pair = call.auth === false ? null : tokens() || (await signIn())
  let answer = await send<T>(name, call, pair ? pair.access_token : null)
  if (answer.status === 401 && pair) {
    pair = await refreshed()
    answer = await send<T>(name, call, pair.access_token)
  }
  if (answer.status >= 400) throw new ApiError(answer.status, answer.body as unknown as Record<string, unknown>)
  return answer.body
}

/** Upload a photo (portal or engineer) and answer its id for the step that uses it. */
export function upload(name: 'portalPhoto' | 'engineerPhoto', filePath: string): Promise<number> {
  const pair = tokens()
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url: url(name, {}),
      filePath,
      name: 'file',
      header: pair ? { Authorization: `Bearer ${pair.access_token}` } : {},
      success: (res) => {
        const body = JSON.parse(res.data) as { id?: number; detail?: string }
        if (res.statusCode === 201 && body.id) resolve(body.id)
        else reject(new ApiError(res.statusCode, body as Record<string, unknown>))
      },
      fail: (err) => reject(new ApiError(0, { detail: err.errMsg, code: 'network' })),
    })
  })
}

export function signOut(): Promise<unknown> {
  const forget = () => wx.removeStorageSync(TOKENS)
  return api('signOut').then(forget, forget)
}

/** Show an API refusal in words (the server already wrote them in the user's language). */
export function toast(error: unknown): void {
  const title = error instanceof ApiError ? error.message : '网络异常，请重试'
  wx.showToast({ title, icon: 'none', duration: 3000 })
}
