const { render, fixture } = require('./pages')

beforeEach(() => {
  resetWx()
  signedIn()
})

test('the order detail shows the timeline and offers edit and cancel before acceptance', async () => {
  const order = fixture('order_submitted')
  answer({
    [`GET /api/v1/portal/orders/${order.id}/`]: [200, order],
    [`POST /api/v1/portal/orders/${order.id}/cancel/`]: [200, { ...order, status: 'cancelled', status_label: '已取消', actions: [] }],
  })
  const page = render('order')
  await page.instance.onLoad({ id: String(order.id) })
  expect(page.querySelector('.number').dom.textContent).toBe(order.number)
  expect(page.querySelector('.edit')).toBeTruthy()
  expect(page.querySelector('.urge')).toBeFalsy() // not before the provider's urge hours
  expect(page.querySelectorAll('.event')).toHaveLength(order.timeline.length)

  wx.showModal.mockImplementation((options) => options.success({ confirm: true, content: '不需要了' }))
  page.instance.cancel()
  await settle()
  await settle()
  expect(requests('POST', `/api/v1/portal/orders/${order.id}/cancel/`)[0].data).toEqual({ reason: '不需要了' })
  expect(page.instance.data.order.status_label).toBe('已取消')
  expect(page.querySelector('.cancel')).toBeFalsy()
})

test('urging is offered once the server allows it and shows the 催 answer', async () => {
  const order = { ...fixture('order_submitted'), actions: ['edit', 'cancel', 'urge'] }
  answer({
    [`GET /api/v1/portal/orders/${order.id}/`]: [200, order],
    [`POST /api/v1/portal/orders/${order.id}/urge/`]: [200, { ...order, is_urged: true, actions: ['edit', 'cancel'] }],
  })
  const page = render('order')
  await page.instance.onLoad({ id: String(order.id) })
  expect(page.querySelector('.urge')).toBeTruthy()
  await page.instance.urge()
  expect(requests('POST', `/api/v1/portal/orders/${order.id}/urge/`)).toHaveLength(1)
  expect(page.instance.data.order.is_urged).toBe(true)
})

test('a completed order is rated with stars and tags', async () => {
  const order = fixture('order_completed')
  const rated = { ...order, actions: [], rating: { stars: 4, tags: ['技术好'], comment: '' } }
  answer({
    [`GET /api/v1/portal/orders/${order.id}/`]: [200, order],
    [`POST /api/v1/portal/orders/${order.id}/rate/`]: [200, rated],
  })
  const page = render('order')
  await page.instance.onLoad({ id: String(order.id) })
  expect(page.querySelectorAll('.star')).toHaveLength(5)
  page.querySelectorAll('.star')[3].dispatchEvent('tap')
  const tag = page.querySelectorAll('.tag').find((t) => t.dom.textContent === '技术好')
  tag.dispatchEvent('tap')
  await settle()
  expect(page.instance.data.stars).toBe(4)
  await page.instance.rate()
  expect(requests('POST', `/api/v1/portal/orders/${order.id}/rate/`)[0].data).toEqual({ stars: 4, tags: ['技术好'], comment: '' })
  expect(page.querySelector('.rated').dom.textContent).toBe('4 星')
})

test('a refusal from the server is shown in its own words', async () => {
  const order = { ...fixture('order_submitted'), actions: ['urge'] }
  answer({
    [`GET /api/v1/portal/orders/${order.id}/`]: [200, order],
    [`POST /api/v1/portal/orders/${order.id}/urge/`]: [409, { detail: '每小时只能催单一次', code: 'too_soon' }],
  })
  const page = render('order')
  await page.instance.onLoad({ id: String(order.id) })
  await page.instance.urge()
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '每小时只能催单一次' }))
})
