/**
 * 报修申请: the provider's default form (GET /api/v1/portal/form/), filled by serial lookup, by
 * scanning a machine's code, or by hand; photos uploaded first, then the order is submitted (or,
 * with ``?id=``, edited before acceptance). Subscribe messages are requested right before submit,
 * while the tap still counts as the person's gesture.
 */
import { api, toast, upload } from '../../lib/api'

interface Field {
  key: string
  type: string
  label: { zh: string; en: string }
  required: boolean
  options?: { value: string; label: { zh: string } }[]
}

interface Catalog {
  id: number
  name: string
  categories: { id: number; name: string; models: { id: number; name: string }[] }[]
}

interface Order {
  id: number
  values: Record<string, unknown>
}

const TEXT_TYPES = ['text', 'textarea', 'serial_lookup', 'phone']

Component({
  data: {
    fields: [] as Field[],
    catalog: [] as Catalog[],
    values: {} as Record<string, unknown>,
    asset: '',
    machineNo: '',
    photos: [] as { id: number; path: string }[],
    editing: 0,
    reportingOpen: true,
    freeForm: true,
    submitting: false,
    templates: [] as string[],
  },
  methods: {
    async onLoad(query: Record<string, string>) {
      try {
        const form = await api<{
          reporting_open: boolean
          free_form_reporting: boolean
          template: { fields: Field[] }
          catalog: Catalog[]
        }>('form', { auth: false })
        const fields = form.template.fields.filter((f) => f.type !== 'images')
        this.setData({
          fields,
          catalog: form.catalog,
          reportingOpen: form.reporting_open,
          freeForm: form.free_form_reporting,
        })
        const config = await api<{ subscribe_templates: Record<string, string> }>('config', { auth: false })
        this.setData({ templates: Object.values(config.subscribe_templates || {}) })
        if (query && query.id) await this.loadOrder(Number(query.id))
        if (query && query.asset) this.setData({ asset: query.asset })
        if (query && query.scene) await this.openScene(decodeURIComponent(query.scene))
      } catch (error) {
        toast(error)
      }
    },
    async loadOrder(id: number) {
      const order = await api<Order>('order', { params: { id } })
      this.setData({ editing: id, values: order.values })
    },
    async openScene(scene: string) {
      const target = await api<{ kind: string; values: Record<string, string> }>('scene', {
        params: { scene },
        auth: false,
      })
      if (target.kind === 'asset') this.setData({ asset: target.values.asset, machineNo: target.values.machine_no })
    },
    /** 快捷报修: a machine number or serial fills the machine fields. */
    async lookup(serial: string) {
      try {
        const asset = await api<{ token: string; machine_no: string; values: Record<string, unknown> }>('lookup', {
          query: { q: serial },
        })
        this.setData({ asset: asset.token, machineNo: asset.machine_no, values: { ...this.data.values, ...asset.values } })
      } catch (error) {
        toast(error)
      }
    },
    onSerial(event: WechatMiniprogram.CustomEvent<{ value: string }>) {
      if (event.detail.value) this.lookup(event.detail.value)
    },
    scan() {
      wx.scanCode({
        success: (result) => {
          const path = result.path || ''
          const scene = /scene=([^&]+)/.exec(path)
          if (scene) this.openScene(decodeURIComponent(scene[1])).catch(toast)
          else this.lookup(result.result)
        },
      })
    },
    onInput(event: WechatMiniprogram.CustomEvent<{ value: string }>) {
      const key = String(event.currentTarget.dataset.key)
      this.setData({ values: { ...this.data.values, [key]: event.detail.value } })
    },
    choose(event: WechatMiniprogram.TouchEvent) {
      const key = String(event.currentTarget.dataset.key)
      this.setData({ values: { ...this.data.values, [key]: event.currentTarget.dataset.value } })
    },
    chooseMachine(event: WechatMiniprogram.TouchEvent) {
      const { brand, category, model } = event.currentTarget.dataset as Record<string, number>
      this.setData({ values: { ...this.data.values, machine: { brand, category, model } } })
    },
    addPhotos() {
      wx.chooseMedia({
        count: 6,
        mediaType: ['image'],
        success: async (result) => {
          for (const file of result.tempFiles) {
            try {
              const id = await upload('portalPhoto', file.tempFilePath)
              this.setData({ photos: [...this.data.photos, { id, path: file.tempFilePath }] })
            } catch (error) {
              toast(error)
            }
          }
        },
      })
    },
    missing(): string {
      const values = this.data.values
      const field = this.data.fields.find(
        (f) => f.required && !(f.key === 'machine' && this.data.asset) && !values[f.key],
      )
      return field ? field.label.zh : ''
    },
    async submit() {
      const missing = this.missing()
      if (missing) {
        wx.showToast({ title: `请填写${missing}`, icon: 'none' })
        return
      }
      if (this.data.templates.length) await this.askSubscriptions()
      this.setData({ submitting: true })
      const values: Record<string, unknown> = { ...this.data.values }
      for (const key of Object.keys(values)) {
        if (!this.data.fields.some((f) => f.key === key)) delete values[key]
      }
      if (this.data.photos.length) values.photos = this.data.photos.map((p) => p.id)
      try {
        const order = this.data.editing
          ? await api<{ id: number }>('editOrder', { params: { id: this.data.editing }, data: { values } })
          : await api<{ id: number }>('submit', { data: { asset: this.data.asset || undefined, values } })
        wx.showToast({ title: '成功提交申请，请等待维修工接单', icon: 'none' })
        wx.redirectTo({ url: `/pages/order/index?id=${order.id}` })
      } catch (error) {
        toast(error)
      } finally {
        this.setData({ submitting: false })
      }
    },
    /** One-time subscribe messages: each "accept" lets the provider send one notice (the server counts). */
    async askSubscriptions() {
      const answers = await new Promise<Record<string, string>>((resolve) =>
        wx.requestSubscribeMessage({
          tmplIds: this.data.templates,
          success: (res) => resolve(res as unknown as Record<string, string>),
          fail: () => resolve({}),
        }),
      )
      const results: Record<string, string> = {}
      for (const id of this.data.templates) if (answers[id]) results[id] = answers[id]
      if (Object.keys(results).length) await api('subscriptions', { data: { results } }).catch(() => undefined)
    },
    isText(type: string): boolean {
      return TEXT_TYPES.includes(type)
    },
  },
})
