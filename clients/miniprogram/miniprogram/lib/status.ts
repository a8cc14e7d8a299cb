/** The GZIC "my orders" tabs (keys are the API's ``tab`` values). */
export const ORDER_TABS = [
  { key: 'pending', label: '待接单' },
  { key: 'accepted', label: '已接单' },
  { key: 'suspended', label: '已挂起' },
  { key: 'completed', label: '已完成' },
  { key: 'cancelled', label: '已取消' },
]
