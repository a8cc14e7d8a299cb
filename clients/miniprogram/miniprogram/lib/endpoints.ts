/**
 * Every call the client makes, as (method, path template). The contract test checks each one is
 * a path and method of our OpenAPI document, so the client can never call a route that does not
 * exist. Path parameters are written `{id}` / `{scene}` as in the OpenAPI paths.
 */
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

export interface Endpoint {
  method: Method
  path: string
}

function e(method: Method, path: string): Endpoint {
  return { method, path }
}

export const ENDPOINTS = {
  signIn: e('POST', '/api/v1/auth/miniprogram/'),
  refresh: e('POST', '/api/v1/auth/refresh/'),
  signOut: e('POST', '/api/v1/auth/sign-out/'),
  bindPhone: e('POST', '/api/v1/auth/miniprogram/phone/'),
  bindStaff: e('POST', '/api/v1/auth/miniprogram/staff/'),
  joinCompany: e('POST', '/api/v1/auth/miniprogram/company/'),
  me: e('GET', '/api/v1/me/'),
  updateMe: e('PATCH', '/api/v1/me/'),
  scene: e('GET', '/api/v1/miniprogram/scene/{scene}/'),
  config: e('GET', '/api/v1/miniprogram/config/'),
  subscriptions: e('POST', '/api/v1/miniprogram/subscriptions/'),
  form: e('GET', '/api/v1/portal/form/'),
  lookup: e('GET', '/api/v1/portal/assets/lookup/'),
  portalPhoto: e('POST', '/api/v1/portal/photos/'),
  myOrders: e('GET', '/api/v1/portal/orders/'),
  submit: e('POST', '/api/v1/portal/orders/'),
  order: e('GET', '/api/v1/portal/orders/{id}/'),
  editOrder: e('PATCH', '/api/v1/portal/orders/{id}/'),
  cancel: e('POST', '/api/v1/portal/orders/{id}/cancel/'),
  urge: e('POST', '/api/v1/portal/orders/{id}/urge/'),
  confirm: e('POST', '/api/v1/portal/orders/{id}/confirm/'),
  reject: e('POST', '/api/v1/portal/orders/{id}/reject/'),
  rate: e('POST', '/api/v1/portal/orders/{id}/rate/'),
  jobs: e('GET', '/api/v1/engineer/jobs/'),
  job: e('GET', '/api/v1/engineer/jobs/{id}/'),
  start: e('POST', '/api/v1/engineer/jobs/{id}/start/'),
  suspend: e('POST', '/api/v1/engineer/jobs/{id}/suspend/'),
  resume: e('POST', '/api/v1/engineer/jobs/{id}/resume/'),
  jobSheet: e('POST', '/api/v1/engineer/jobs/{id}/job-sheet/'),
  engineerPhoto: e('POST', '/api/v1/engineer/photos/'),
}

export type EndpointName = keyof typeof ENDPOINTS

/** Fill a path template: `{id}` + {id: 7} → `7`. */
export function fill(path: string, params: Record<string, string | number> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_whole, key: string) => encodeURIComponent(String(params[key])))
}
