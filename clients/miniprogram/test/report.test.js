const { render, fixture } = require('./pages')

const FORM = 'GET /api/v1/portal/form/'
const CONFIG = 'GET /api/v1/miniprogram/config/'
const config = { provider: '甲维修服务中心', phone: '13800000001', subscribe_templates: { order_update: 'TPL-1' } }

beforeEach(() => {
  resetWx()
  signedIn()
})

test('the report page renders the provider form and submits an order with photos', async () => {
  const submitted = fixture('order_submitted')
  answer({
    [FORM]: [200, fixture('portal_form')],
    [CONFIG]: [200, config],
    'POST /api/v1/portal/orders/': [201, submitted],
    'POST /api/v1/miniprogram/subscriptions/': [200, { remaining: { 'TPL-1': 1 } }],
  })
  wx.requestSubscribeMessage.mockImplementation((options) => options.success({ 'TPL-1': 'accept', errMsg: 'requestSubscribeMessage:ok' }))
  const page = render('report')
  await page.instance.onLoad({})
  await settle()
  expect(page.querySelector('.field-fault_description')).toBeTruthy()
  expect(page.dom.innerHTML).toContain('故障描述')

  wx.uploadFile.mockImplementation((options) => options.success({ statusCode: 201, data: JSON.stringify({ id: 41 }) }))
  wx.chooseMedia.mockImplementation((options) => options.success({ tempFiles: [{ tempFilePath: 'wxfile://photo-1.jpg' }] }))
  page.instance.addPhotos()
  await settle()
  expect(page.instance.data.photos).toEqual([{ id: 41, path: 'wxfile://photo-1.jpg' }])

  const form = fixture('portal_form')
  const model = form.catalog[0].categories[0].models[0]
  page.instance.setData({
    values: {
      machine: { brand: form.catalog[0].id, category: form.catalog[0].categories[0].id, model: model.id },
      fault_description: '打印机卡纸',
      service_type: 'repair',
    },
  })
  await page.instance.submit()
  expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['TPL-1'] }))
  expect(requests('POST', '/api/v1/miniprogram/subscriptions/')[0].data).toEqual({ results: { 'TPL-1': 'accept' } })
  const [sent] = requests('POST', '/api/v1/portal/orders/')
  expect(sent.header.Authorization).toBe('Bearer a.1.test')
  expect(sent.data.values).toMatchObject({ fault_description: '打印机卡纸', service_type: 'repair', photos: [41] })
  expect(wx.redirectTo).toHaveBeenCalledWith({ url: `/pages/order/index?id=${submitted.id}` })
})

test('the report page refuses to submit without the required fields', async () => {
  answer({ [FORM]: [200, fixture('portal_form')], [CONFIG]: [200, config] })
  const page = render('report')
  await page.instance.onLoad({})
  await page.instance.submit()
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '请填写机器信息' }))
  expect(requests('POST', '/api/v1/portal/orders/')).toHaveLength(0)
})

test('a serial number fills the machine and the order carries the asset', async () => {
  const lookup = fixture('asset_lookup')
  answer({
    [FORM]: [200, fixture('portal_form')],
    [CONFIG]: [200, config],
    'GET /api/v1/portal/assets/lookup/': [200, lookup],
    'POST /api/v1/portal/orders/': [201, fixture('order_submitted')],
  })
  const page = render('report')
  await page.instance.onLoad({})
  await page.instance.lookup('SN-00000168')
  expect(page.instance.data.asset).toBe(lookup.token)
  expect(page.instance.data.machineNo).toBe('NO000028')
  page.instance.setData({ values: { ...page.instance.data.values, fault_description: '卡纸', service_type: 'repair' } })
  await page.instance.submit()
  const [sent] = requests('POST', '/api/v1/portal/orders/')
  expect(sent.data.asset).toBe(lookup.token)
})

test('an expired token is refreshed once and the call retried', async () => {
  let first = true
  answer({
    [FORM]: [200, fixture('portal_form')],
    [CONFIG]: [200, config],
    'GET /api/v1/portal/assets/lookup/': () => {
      if (first) {
        first = false
        return [401, { detail: 'expired', code: 'expired' }]
      }
      return [200, fixture('asset_lookup')]
    },
    'POST /api/v1/auth/refresh/': [200, { access_token: 'a.2.new', refresh_token: 'r.2.new', phone_bound: true, staff: false }],
  })
  const page = render('report')
  await page.instance.onLoad({})
  await page.instance.lookup('SN-00000168')
  const lookups = requests('GET', '/api/v1/portal/assets/lookup/')
  expect(lookups.map((o) => o.header.Authorization)).toEqual(['Bearer a.1.test', 'Bearer a.2.new'])
  expect(requests('POST', '/api/v1/auth/refresh/')[0].data).toEqual({ refresh_token: 'r.1.test' })
})
