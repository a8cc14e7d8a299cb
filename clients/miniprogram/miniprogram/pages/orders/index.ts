/** 我的报修 in the GZIC tabs (待接单 / 已接单 / 已挂起 / 已完成 / 已取消) with 超 and 催 marks. */
import { api, toast } from '../../lib/api'
import { ORDER_TABS } from '../../lib/status'

interface Item {
  id: number
  number: string
  status_label: string
  fault_description: string
  submitted_at: string
  is_overdue: boolean
  is_urged: boolean
}

Component({
  data: { tabs: ORDER_TABS, tab: 'pending', orders: [] as Item[], counts: {} as Record<string, number>, next: '' },
  methods: {
    onLoad(query: Record<string, string>) {
      this.load((query && query.tab) || 'pending')
    },
    async load(tab: string, cursor = '') {
      try {
        const page = await api<{ results: Item[]; next_cursor: string | null; counts: Record<string, number> }>(
          'myOrders',
          { query: { tab, cursor } },
        )
        this.setData({
          tab,
          orders: cursor ? [...this.data.orders, ...page.results] : page.results,
          counts: page.counts,
          next: page.next_cursor || '',
        })
      } catch (error) {
        toast(error)
      }
    },
    switchTab(event: WechatMiniprogram.TouchEvent) {
      this.load(String(event.currentTarget.dataset.tab))
    },
    onReachBottom() {
      if (this.data.next) this.load(this.data.tab, this.data.next)
    },
    open(event: WechatMiniprogram.TouchEvent) {
      wx.navigateTo({ url: `/pages/order/index?id=${event.currentTarget.dataset.id}` })
    },
  },
})
