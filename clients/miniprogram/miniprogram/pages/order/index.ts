/**
 * 报修详情: every field, the timeline, durations and suspensions; the steps the server says the
 * person may take now (``actions``): edit / cancel with a reason before acceptance, urge (催单)
 * once the provider's hours have passed, confirm or reject completion, rate with stars and tags.
 */
import { api, toast } from '../../lib/api'

interface Detail {
  id: number
  actions: string[]
  repair_centre_phone: string
  rating_options: { star_descriptions: Record<string, string>; tags: string[] } | null
}

Component({
  data: {
    order: null as Detail | null,
    stars: 5,
    tags: [] as string[],
    comment: '',
    can: {} as Record<string, boolean>,
  },
  methods: {
    onLoad(query: Record<string, string>) {
      return this.load(Number(query.id))
    },
    show(order: Detail) {
      const can: Record<string, boolean> = {}
      for (const action of order.actions) can[action] = true
      this.setData({ order, can })
    },
    async load(id: number) {
      try {
        this.show(await api<Detail>('order', { params: { id } }))
      } catch (error) {
        toast(error)
      }
    },
    async step(name: 'cancel' | 'urge' | 'confirm' | 'reject' | 'rate', data: Record<string, unknown> = {}) {
      const order = this.data.order
      if (!order) return
      try {
        this.show(await api<Detail>(name, { params: { id: order.id }, data }))
      } catch (error) {
        toast(error)
      }
    },
    edit() {
      if (this.data.order) wx.navigateTo({ url: `/pages/report/index?id=${this.data.order.id}` })
    },
    cancel() {
      wx.showModal({
        title: '撤销申请',
        content: '',
        editable: true,
        placeholderText: '请说明撤销原因',
        success: (result) => {
          if (result.confirm && result.content) this.step('cancel', { reason: result.content })
        },
      })
    },
    urge() {
      return this.step('urge')
    },
    confirm() {
      return this.step('confirm')
    },
    reject() {
      wx.showModal({
        title: '未修好',
        content: '',
        editable: true,
        placeholderText: '请说明问题',
        success: (result) => {
          if (result.confirm && result.content) this.step('reject', { reason: result.content })
        },
      })
    },
    setStars(event: WechatMiniprogram.TouchEvent) {
      this.setData({ stars: Number(event.currentTarget.dataset.stars) })
    },
    toggleTag(event: WechatMiniprogram.TouchEvent) {
      const tag = String(event.currentTarget.dataset.tag)
      const tags = this.data.tags.includes(tag) ? this.data.tags.filter((t) => t !== tag) : [...this.data.tags, tag]
      this.setData({ tags })
    },
    onComment(event: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ comment: event.detail.value })
    },
    rate() {
      return this.step('rate', { stars: this.data.stars, tags: this.data.tags, comment: this.data.comment })
    },
    callCentre() {
      const phone = this.data.order ? this.data.order.repair_centre_phone : ''
      if (phone) wx.makePhoneCall({ phoneNumber: phone })
    },
  },
})
