// A stand-in for the `wx` global: storage in a Map, every other API a jest mock. Tests answer
// wx.request from recorded responses of our own API (test/fixtures, made by the Django tests'
// client against the real views) through `answer(...)`.
const storage = new Map()

function reply(options, statusCode, data) {
  Promise.resolve().then(() => options.success && options.success({ statusCode, data, header: {} }))
}

global.wx = {
  getStorageSync: jest.fn((key) => (storage.has(key) ? storage.get(key) : '')),
  setStorageSync: jest.fn((key, value) => storage.set(key, value)),
  removeStorageSync: jest.fn((key) => storage.delete(key)),
  getExtConfigSync: jest.fn(() => ({ baseUrl: 'https://tenant-a.baoxiu.test' })),
  login: jest.fn((options) => options.success({ code: 'wx-login-code', errMsg: 'login:ok' })),
  request: jest.fn(),
  uploadFile: jest.fn(),
  showToast: jest.fn(),
  showModal: jest.fn(),
  navigateTo: jest.fn(),
  redirectTo: jest.fn(),
  makePhoneCall: jest.fn(),
  scanCode: jest.fn(),
  chooseMedia: jest.fn(),
  openLocation: jest.fn(),
  setClipboardData: jest.fn(),
  requestSubscribeMessage: jest.fn((options) => options.success && options.success({ errMsg: 'requestSubscribeMessage:ok' })),
}

/**
 * Route wx.request: `routes` maps "METHOD /path" (query string left out) to [status, body] or a
 * function of the request options answering [status, body].
 */
global.answer = (routes) => {
  wx.request.mockImplementation((options) => {
    const path = options.url.replace(/^https:\/\/[^/]+/, '').split('?')[0]
    const key = `${options.method || 'GET'} ${path}`
    const route = routes[key]
    if (!route) {
      reply(options, 404, { detail: `no recorded answer for ${key}` })
      return
    }
    const [status, body] = typeof route === 'function' ? route(options) : route
    reply(options, status, body)
  })
}

global.signedIn = () => {
  storage.set('baoxiu.tokens', { access_token: 'a.1.test', refresh_token: 'r.1.test', phone_bound: true, staff: false })
}

global.resetWx = () => {
  storage.clear()
  for (const value of Object.values(wx)) if (value.mockClear) value.mockClear()
}

global.settle = () => new Promise((resolve) => setTimeout(resolve, 0))

global.requests = (method, path) =>
  wx.request.mock.calls
    .map(([options]) => options)
    .filter((o) => (o.method || 'GET') === method && o.url.replace(/^https:\/\/[^/]+/, '').split('?')[0] === path)
