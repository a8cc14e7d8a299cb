const { render, fixture } = require('./pages')

beforeEach(() => {
  resetWx()
  signedIn()
})

test('an engineer starts a dispatched job', async () => {
  const job = fixture('engineer_job_dispatched')
  answer({
    [`GET /api/v1/engineer/jobs/${job.id}/`]: [200, job],
    [`POST /api/v1/engineer/jobs/${job.id}/start/`]: [200, fixture('engineer_job_started')],
  })
  const page = render('job')
  await page.instance.onLoad({ id: String(job.id) })
  expect(page.querySelector('.start')).toBeTruthy()
  page.querySelector('.start').dispatchEvent('tap')
  await settle()
  await settle()
  expect(requests('POST', `/api/v1/engineer/jobs/${job.id}/start/`)).toHaveLength(1)
  expect(page.instance.data.job.status).toBe('in_progress')
  expect(page.querySelector('.suspend')).toBeTruthy()
  expect(page.querySelector('.sheet')).toBeTruthy()
})

test('an engineer asks to suspend with a reason and photos', async () => {
  const job = fixture('engineer_job_started')
  answer({
    [`GET /api/v1/engineer/jobs/${job.id}/`]: [200, job],
    [`POST /api/v1/engineer/jobs/${job.id}/suspend/`]: [200, { ...job, actions: ['add_note'] }],
  })
  wx.uploadFile.mockImplementation((options) => {
    expect(options.url).toBe('https://tenant-a.baoxiu.test/api/v1/engineer/photos/')
    options.success({ statusCode: 201, data: JSON.stringify({ id: 77 }) })
  })
  wx.chooseMedia.mockImplementation((options) => options.success({ tempFiles: [{ tempFilePath: 'wxfile://part.jpg' }] }))
  const page = render('job')
  await page.instance.onLoad({ id: String(job.id) })
  await page.instance.suspend()
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '请填写挂起原因' }))
  page.instance.addPhotos()
  await settle()
  page.instance.setData({ reason: '缺少搓纸轮，等配件' })
  await page.instance.suspend()
  expect(requests('POST', `/api/v1/engineer/jobs/${job.id}/suspend/`)[0].data).toEqual({
    reason: '缺少搓纸轮，等配件',
    photos: [77],
  })
})

test('the job sheet is submitted with work done and result', async () => {
  const job = fixture('engineer_job_started')
  answer({
    [`GET /api/v1/engineer/jobs/${job.id}/`]: [200, job],
    [`POST /api/v1/engineer/jobs/${job.id}/job-sheet/`]: [200, { ...job, status: 'awaiting_confirmation', actions: [] }],
  })
  const page = render('job')
  await page.instance.onLoad({ id: String(job.id) })
  page.instance.setData({ workDone: '更换搓纸轮', result: '已修复' })
  await page.instance.submitSheet()
  expect(requests('POST', `/api/v1/engineer/jobs/${job.id}/job-sheet/`)[0].data).toEqual({
    work_done: '更换搓纸轮',
    result: '已修复',
    photos: [],
  })
  expect(page.instance.data.job.status).toBe('awaiting_confirmation')
})

test('the route opens the map when the address has coordinates, else copies the route link', async () => {
  const job = fixture('engineer_job_started')
  answer({ [`GET /api/v1/engineer/jobs/${job.id}/`]: [200, { ...job, location: { address: '科学城', latitude: 23.1, longitude: 113.4 } }] })
  const page = render('job')
  await page.instance.onLoad({ id: String(job.id) })
  page.instance.route()
  expect(wx.openLocation).toHaveBeenCalledWith(expect.objectContaining({ latitude: 23.1, longitude: 113.4 }))
  page.instance.setData({ job: { ...page.instance.data.job, location: { address: '' }, route_link: 'https://apis.map.qq.com/uri/v1/x' } })
  page.instance.route()
  expect(wx.setClipboardData).toHaveBeenCalledWith({ data: 'https://apis.map.qq.com/uri/v1/x' })
})
