/** 我的工单 (engineers): active, awaiting confirmation, done. */
import { api, toast } from '../../lib/api'

const GROUPS = [
  { key: 'active', label: '进行中' },
  { key: 'awaiting', label: '待确认' },
  { key: 'done', label: '已完成' },
]

Component({
  data: { groups: GROUPS, group: 'active', jobs: [] as { id: number }[] },
  methods: {
    onLoad() {
      return this.load('active')
    },
    async load(group: string) {
      try {
        const page = await api<{ results: { id: number }[] }>('jobs', { query: { group } })
        this.setData({ group, jobs: page.results })
      } catch (error) {
        toast(error)
      }
    },
    switchGroup(event: WechatMiniprogram.TouchEvent) {
      return this.load(String(event.currentTarget.dataset.group))
    },
    open(event: WechatMiniprogram.TouchEvent) {
      wx.navigateTo({ url: `/pages/job/index?id=${event.currentTarget.dataset.id}` })
    },
  },
})
