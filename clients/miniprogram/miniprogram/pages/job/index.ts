/**
 * 工单 (engineer): the order, the way there (wx.openLocation when the address has coordinates,
 * otherwise the Tencent Maps route link is copied for the browser), start, suspend with a reason
 * and photos (a supervisor approves), resume, and the job sheet (work done, result, photos).
 */
import { api, toast, upload } from '../../lib/api'

interface Job {
  id: number
  actions: string[]
  route_link: string
  location: { address: string; latitude?: number; longitude?: number; building?: string; room?: string }
}

Component({
  data: {
    job: null as Job | null,
    can: {} as Record<string, boolean>,
    reason: '',
    workDone: '',
    result: '',
    photos: [] as { id: number; path: string }[],
  },
  methods: {
    onLoad(query: Record<string, string>) {
      return this.load(Number(query.id))
    },
    show(job: Job) {
      const can: Record<string, boolean> = {}
      for (const action of job.actions) can[action] = true
      this.setData({ job, can, photos: [], reason: '' })
    },
    async load(id: number) {
      try {
        this.show(await api<Job>('job', { params: { id } }))
      } catch (error) {
        toast(error)
      }
    },
    async step(name: 'start' | 'suspend' | 'resume' | 'jobSheet', data: Record<string, unknown> = {}) {
      const job = this.data.job
      if (!job) return
      try {
        this.show(await api<Job>(name, { params: { id: job.id }, data }))
      } catch (error) {
        toast(error)
      }
    },
    route() {
      const job = this.data.job
      if (!job) return
      const where = job.location
      if (where.latitude !== undefined && where.longitude !== undefined) {
        wx.openLocation({ latitude: where.latitude, longitude: where.longitude, name: where.building || '', address: where.address })
      } else if (job.route_link) {
        wx.setClipboardData({ data: job.route_link })
      } else {
        wx.showToast({ title: '没有地址信息', icon: 'none' })
      }
    },
    start() {
      return this.step('start')
    },
    onText(event: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ [String(event.currentTarget.dataset.name)]: event.detail.value })
    },
    addPhotos() {
      wx.chooseMedia({
        count: 6,
        mediaType: ['image'],
        success: async (result) => {
          for (const file of result.tempFiles) {
            try {
              const id = await upload('engineerPhoto', file.tempFilePath)
              this.setData({ photos: [...this.data.photos, { id, path: file.tempFilePath }] })
            } catch (error) {
              toast(error)
            }
          }
        },
      })
    },
    suspend() {
      if (!this.data.reason) {
        wx.showToast({ title: '请填写挂起原因', icon: 'none' })
        return Promise.resolve()
      }
      return this.step('suspend', { reason: this.data.reason, photos: this.data.photos.map((p) => p.id) })
    },
    resume() {
      return this.step('resume')
    },
    submitSheet() {
      if (!this.data.workDone || !this.data.result) {
        wx.showToast({ title: '请填写维修内容和结果', icon: 'none' })
        return Promise.resolve()
      }
      return this.step('jobSheet', {
        work_done: this.data.workDone,
        result: this.data.result,
        photos: this.data.photos.map((p) => p.id),
      })
    },
  },
})
