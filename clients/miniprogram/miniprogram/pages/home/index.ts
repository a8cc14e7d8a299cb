/**
 * The GZIC home: WeChat nickname, department (所属部门) and system account, then the entries the
 * person's role allows. First visit: bind the phone with WeChat's phone-number button; staff bind
 * by scanning the one-time code their console shows. A scanned 葵花码 (``scene``) is resolved here.
 */
import { ApiError, api, toast } from '../../lib/api'

interface Me {
  kind: string
  nickname: string
  name: string
  department: string
  account: string
  role: string
}

interface Scene {
  kind: string
  page: string
  values: Record<string, string>
}

Component({
  data: {
    me: null as Me | null,
    provider: '',
    phone: '',
    loading: true,
    pendingCompany: '',
  },
  methods: {
    async onLoad(query: Record<string, string>) {
      if (query && query.scene) await this.openScene(decodeURIComponent(query.scene))
      await this.load()
    },
    async load() {
      try {
        const [me, config] = await Promise.all([
          api<Me>('me'),
          api<{ provider: string; phone: string }>('config', { auth: false }),
        ])
        this.setData({ me, provider: config.provider, phone: config.phone, loading: false })
        if (me.kind === 'customer' && this.data.pendingCompany) await this.joinCompany()
      } catch (error) {
        this.setData({ loading: false })
        toast(error)
      }
    },
    async openScene(scene: string) {
      try {
        const target = await api<Scene>('scene', { params: { scene }, auth: false })
        if (target.kind === 'staff_bind') {
          await api('bindStaff', { data: { scene } })
        } else if (target.kind === 'company') {
          this.setData({ pendingCompany: target.values.registration_token }) // joined once the phone is bound
        } else if (target.kind === 'asset') {
          wx.redirectTo({ url: `/pages/report/index?asset=${target.values.asset}` })
        }
      } catch (error) {
        toast(error)
      }
    },
    async joinCompany() {
      const token = this.data.pendingCompany
      this.setData({ pendingCompany: '' })
      await api('joinCompany', { data: { registration_token: token } })
      this.setData({ me: await api<Me>('me') })
    },
    async bindPhone(event: WechatMiniprogram.CustomEvent<{ code?: string }>) {
      if (!event.detail.code) return // the person declined
      try {
        await api('bindPhone', { data: { code: event.detail.code } })
        await this.load()
      } catch (error) {
        toast(error)
      }
    },
    scanToBind() {
      wx.scanCode({
        onlyFromCamera: true,
        success: async (result) => {
          try {
            await api('bindStaff', { data: { scene: result.result } })
            await this.load()
          } catch (error) {
            toast(error instanceof ApiError ? error : new ApiError(0, { detail: '绑定失败' }))
          }
        },
      })
    },
    go(event: WechatMiniprogram.TouchEvent) {
      wx.navigateTo({ url: String(event.currentTarget.dataset.url) })
    },
    callCentre() {
      if (this.data.phone) wx.makePhoneCall({ phoneNumber: this.data.phone })
    },
  },
})
