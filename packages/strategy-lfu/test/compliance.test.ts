import { lfu, tinyLfu } from '@tierstack/strategy-lfu'
import { strategyComplianceSuite } from '@tierstack/test-suite'

// LFU evicts the least recently used entry among the least frequently used, so the recency checks apply.
strategyComplianceSuite('lfu', () => lfu(), { recencyBased: true })
strategyComplianceSuite('lfu (fast aging)', () => lfu({ agingInterval: 50 }), { recencyBased: true })
// W-TinyLFU may turn a new key away when it is less popular than the entry it would replace.
strategyComplianceSuite('tinylfu', () => tinyLfu(), { admissionFilter: true })
strategyComplianceSuite('tinylfu (fixed window)', () => tinyLfu({ adaptive: false, initialWindow: 0.2 }), {
  admissionFilter: true,
})
